#!/usr/bin/env bash
# Kill trials: each job killed (kill -9) at a seeded random moment while a reader polls its
# outputs, then rerun; the end state must equal a clean run's. See README.md, "Kill trials".
#
#   scripts/test-faults.sh [--trials N] [--seed S] [--store local|s3] [--jobs preprocess,train,...]
#
# --trials N   trials per job (default 1); --seed S seeds the kill delays and modes (default 7);
# --store      local (default): worlds on the local disk; s3: every table under s3a:// on a moto
#              S3 server on 127.0.0.1 (the raw input stays the committed local sample data);
# --jobs       a comma-separated subset of preprocess,train,evaluate,export,score,monitor.
# One line per trial, then 'kill trials: N passed, M failed'; exits non-zero if M > 0.
# GLMPIPE_FAULTS_WORK=dir keeps the worlds and logs there (default: a temporary directory,
# removed on success).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$GLMPIPE_ROOT"

trials=1 seed=7 store=local jobs=preprocess,train,evaluate,export,score,monitor
while [ $# -gt 0 ]; do
  case "$1" in
    --trials) trials=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --store) store=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
case "$trials" in ''|*[!0-9]*) die "--trials must be a number, not '$trials'" ;; esac
case "$seed" in ''|*[!0-9]*) die "--seed must be a number, not '$seed'" ;; esac
case "$store" in local|s3) ;; *) die "--store must be local or s3, not '$store'" ;; esac

build_jar

# The reader reads Parquet with pyarrow, installed into a venv of its own (once).
PYARROW_VERSION="26.0.1"
venv="$GLMPIPE_ROOT/.venv/faults"
if ! "$venv/bin/python" -c "import pyarrow, sys; sys.exit(pyarrow.__version__ != '$PYARROW_VERSION')" 2>/dev/null; then
  log "installing pyarrow==$PYARROW_VERSION into .venv/faults (once)"
  python3 -m venv "$venv" >&2 || die "python3 -m venv failed (Debian: apt-get install -y python3-venv)"
  "$venv/bin/pip" install -q "pyarrow==$PYARROW_VERSION" >&2 || die "pip install pyarrow==$PYARROW_VERSION failed"
fi

work="${GLMPIPE_FAULTS_WORK:-}"
if [ -z "$work" ]; then
  work=$(mktemp -d)
  cleanup_work=1
else
  mkdir -p "$work"
  work=$(cd "$work" && pwd)
  cleanup_work=0
fi
moto_pid=""
cleanup() {
  [ -n "$moto_pid" ] && { kill "$moto_pid" 2>/dev/null; wait "$moto_pid" 2>/dev/null; }
  return 0
}
trap cleanup EXIT

# Every job reads the committed sample data in place, whatever the store.
conf=(--conf conf/local.yaml --set "storage.tables.raw=file://$GLMPIPE_ROOT/data-samples/raw")
s3_opts=()
if [ "$store" = s3 ]; then
  source "$GLMPIPE_ROOT/scripts/lib/s3.sh"
  ensure_moto
  use_s3a_connector
  start_moto "$work/moto.log"
  moto_pid=$MOTO_PID
  # Test credentials for the test server, through the provider chain as on a real account.
  export AWS_ACCESS_KEY_ID=glmpipe-test AWS_SECRET_ACCESS_KEY=glmpipe-test AWS_DEFAULT_REGION=us-east-1
  "$MOTO_VENV/bin/python" -c "import boto3; boto3.client('s3', endpoint_url='$MOTO_ENDPOINT').create_bucket(Bucket='glmpipe-faults')"
  s3_conf "$MOTO_ENDPOINT" "s3a://glmpipe-faults/faults"
  # S3A's settings only: the storage root and tables are the driver's (--store s3).
  for ((i = 0; i < ${#S3_CONF[@]}; i++)); do
    if [[ "${S3_CONF[$i]}" == --set && "${S3_CONF[$((i + 1))]}" == spark.conf.* ]]; then
      conf+=(--set "${S3_CONF[$((i + 1))]}")
    fi
  done
  s3_opts=(--s3-endpoint "$MOTO_ENDPOINT" --s3-bucket glmpipe-faults)
fi

log "kill trials: $trials per job of $jobs, seed $seed, store $store (worlds and logs: $work)"
set +e
"$venv/bin/python" scripts/kill-trials.py --trials "$trials" --seed "$seed" --store "$store" --jobs "$jobs" \
  --work "$work/worlds" --logs "$work/logs" --glmpipe "$GLMPIPE_ROOT/scripts/glmpipe.sh" "${s3_opts[@]}" -- "${conf[@]}"
code=$?
set -e
if [ "$code" -eq 0 ] && [ "$cleanup_work" = 1 ]; then
  rm -rf "$work"
elif [ "$code" -ne 0 ]; then
  log "worlds and logs kept in $work"
fi
exit "$code"
