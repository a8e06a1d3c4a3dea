#!/usr/bin/env bash
# The pipeline on a faulty object store: moto in server mode on 127.0.0.1 behind
# scripts/s3-fault-proxy.py, which at seeded rates answers 503 SlowDown, 500 InternalError,
# resets connections (before or after the server applied the request, or midway through the
# answer) and delays answers. S3A talks to the proxy (path-style, no SSL) with the retry
# settings of conf/s3-retries.yaml.
#
#   scripts/test-s3-faults.sh [--runs N] [--seed S] [--rates "503 500 reset cut delay"]
#
# One run with faults off is the reference. Then N runs with seeds S, S+1, …, each of the whole
# pipeline (datagen → preprocess → train → evaluate → export → score --new → monitor --new) under
# its own prefix. A job either succeeds, or fails clearly: non-zero exit, its last stderr line
# the launcher's one line ('glmpipe <job>: error|failed: …'), its result JSON 'failed'. After a
# failure, what readers can see must already be whole (every committed partition equal to the
# reference's, aliases naming complete versions); then the job is rerun with faults off (the
# proxy's /__faults/off, same endpoint and config) and must succeed, and faults go back on.
# At the end of a run, its digest (scripts/s3-digest.py: rows of every partition in canonical
# order without run-dependent columns, the registry's structure and content) must equal the
# reference's, and `models verify` must pass. Last line:
#   s3 faults: N runs, M identical, K failed clearly, C corrupt
# (identical: no job failed; failed clearly: some job failed clearly and the run still ended
# identical). Exits non-zero if any run is corrupt or a job failed unclearly.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/s3.sh"
cd "$GLMPIPE_ROOT"

runs=3
seed=1
rates="0.02 0.01 0.01 0.01 0.03"   # shares of requests: 503, 500, reset, cut, delay
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --rates) rates=$2; shift 2 ;;
    *) die "usage: $0 [--runs N] [--seed S] [--rates \"R503 R500 RESET CUT DELAY\"]" ;;
  esac
done
read -r r503 r500 rreset rcut rdelay <<<"$rates"
[ -n "$rdelay" ] || die "--rates needs five shares: 503 500 reset cut delay"

build_jar
ensure_moto duckdb==1.5.5
use_s3a_connector
py=$MOTO_VENV/bin/python

work=$(mktemp -d)
proxy_pid=""
stop_proxy() {
  if [ -n "$proxy_pid" ]; then
    kill "$proxy_pid" 2>/dev/null || true
    wait "$proxy_pid" 2>/dev/null || true
    proxy_pid=""
  fi
}
start_moto "$work/moto.log"
trap 'stop_proxy; kill "$MOTO_PID" 2>/dev/null; wait "$MOTO_PID" 2>/dev/null; rm -rf "$work"' EXIT

export AWS_ACCESS_KEY_ID=glmpipe-test AWS_SECRET_ACCESS_KEY=glmpipe-test AWS_DEFAULT_REGION=us-east-1
bucket=glmpipe-faults
"$py" -c "import boto3; boto3.client('s3', endpoint_url='$MOTO_ENDPOINT').create_bucket(Bucket='$bucket')"

# start_proxy SEED [--off]: the proxy in front of moto; sets proxy_pid and proxy (its URL).
start_proxy() {
  local out="$work/proxy-$1.port"
  "$py" scripts/s3-fault-proxy.py --upstream "$MOTO_ENDPOINT" --seed "$1" --rate-503 "$r503" --rate-500 "$r500" \
    --rate-reset "$rreset" --rate-cut "$rcut" --rate-delay "$rdelay" --delay-max 2 "${@:2}" \
    >"$out" 2>"$work/proxy-$1.log" &
  proxy_pid=$!
  for _ in $(seq 50); do [ -s "$out" ] && break; sleep 0.1; done
  [ -s "$out" ] || die "the fault proxy did not start: $(cat "$work/proxy-$1.log")"
  proxy="http://127.0.0.1:$(head -1 "$out")"
}
faults() { "$py" -c "import urllib.request; print(urllib.request.urlopen('$proxy/__faults/$1', timeout=10).read().decode())"; }

days=(2026-11-01 2026-11-02 2026-11-03)
steps=("datagen --from ${days[0]} --to ${days[2]}" "preprocess --from ${days[0]} --to ${days[2]}"
  "train --from ${days[0]} --to ${days[1]}" "evaluate" "export" "score --new" "monitor --new")

# job NAME PREFIX ARGS...: one job on s3a://bucket/PREFIX through the proxy; result and log in $work.
job() {
  local name=$1 prefix=$2; shift 2
  s3_conf "$proxy" "s3a://$bucket/$prefix"
  timeout 1200 scripts/glmpipe.sh "$name" "${S3_CONF[@]}" --conf conf/s3-retries.yaml "$@" \
    >"$work/$prefix-$name.json" 2>"$work/$prefix-$name.log"
}
digest() { "$py" scripts/s3-digest.py digest "$MOTO_ENDPOINT" "$bucket" "$1"; }

# The reference: the same pipeline through the proxy with its faults off.
log "reference run (faults off)"
start_proxy 0 --off
for step in "${steps[@]}"; do
  read -r -a args <<<"$step"
  job "${args[0]}" ref "${args[@]:1}" || { tail -5 "$work/ref-${args[0]}.log"; die "reference run: ${args[0]} failed"; }
done
stop_proxy
digest ref >"$work/ref.digest" || die "cannot digest the reference run"

identical=0 clearly=0 corrupt=0 unclear=0
for ((i = 0; i < runs; i++)); do
  s=$((seed + i)) prefix="run-$((seed + i))"
  start_proxy "$s"
  log "run seed=$s (rates 503=$r503 500=$r500 reset=$rreset cut=$rcut delay=$rdelay)"
  failures=0 bad=0 unclear_run=0
  for step in "${steps[@]}"; do
    read -r -a args <<<"$step"
    name=${args[0]}
    started=$SECONDS
    if job "$name" "$prefix" "${args[@]:1}"; then
      echo "  seed=$s $name: ok ($((SECONDS - started)) s)"
      continue
    else
      code=$?
    fi
    failures=$((failures + 1))
    last=$(grep -v '^[[:space:]]*$' "$work/$prefix-$name.log" | tail -1)
    if [ "$code" -ne 124 ] && [[ "$last" =~ ^glmpipe\ $name:\ (error|failed):\  ]] \
        && grep -q '"status":"failed"' "$work/$prefix-$name.json"; then
      echo "  seed=$s $name: failed clearly (exit $code): $last"
    else
      echo "  seed=$s $name: FAILED UNCLEARLY (exit $code); the end of its log:"
      tail -5 "$work/$prefix-$name.log" | sed 's/^/    /'
      unclear_run=1
    fi
    cp "$work/$prefix-$name.log" "$work/$prefix-$name.failed.log"
    faults off >/dev/null
    digest "$prefix" >"$work/$prefix.visible" || die "cannot digest $prefix"
    if ! "$py" scripts/s3-digest.py compare "$work/ref.digest" "$work/$prefix.visible" --visible >"$work/diff" 2>&1; then
      echo "  seed=$s $name: CORRUPT: partial or wrong output visible after the failure:"
      sed 's/^/    /' "$work/diff" | head -10
      bad=1
    fi
    if job "$name" "$prefix" "${args[@]:1}"; then
      echo "  seed=$s $name: rerun with faults off: ok"
    else
      echo "  seed=$s $name: rerun with faults off FAILED; the end of its log:"
      tail -5 "$work/$prefix-$name.log" | sed 's/^/    /'
      unclear_run=1
    fi
    faults on >/dev/null
  done
  echo "  seed=$s proxy: $(faults stats)"
  stop_proxy
  # The end state: equal to the reference, and every version's checksums hold.
  start_proxy "$s" --off
  s3_conf "$proxy" "s3a://$bucket/$prefix"
  if ! scripts/glmpipe.sh models verify "${S3_CONF[@]}" >/dev/null 2>"$work/$prefix-models.log"; then
    echo "  seed=$s CORRUPT: models verify failed: $(tail -1 "$work/$prefix-models.log")"
    bad=1
  fi
  stop_proxy
  digest "$prefix" >"$work/$prefix.digest" || die "cannot digest $prefix"
  if ! "$py" scripts/s3-digest.py compare "$work/ref.digest" "$work/$prefix.digest" >"$work/diff" 2>&1; then
    echo "  seed=$s CORRUPT: the outputs differ from the reference:"
    sed 's/^/    /' "$work/diff" | head -10
    bad=1
  fi
  if [ "$bad" = 1 ]; then
    corrupt=$((corrupt + 1))
  elif [ "$unclear_run" = 1 ]; then
    unclear=$((unclear + 1))
  elif [ "$failures" -gt 0 ]; then
    clearly=$((clearly + 1))
  else
    identical=$((identical + 1))
  fi
  [ -z "${GLMPIPE_KEEP_LOGS:-}" ] || cp "$work"/"$prefix"-*.log "$GLMPIPE_KEEP_LOGS"/ 2>/dev/null || true
done

echo "s3 faults: $runs runs, $identical identical, $clearly failed clearly, $corrupt corrupt${unclear:+$([ "$unclear" -gt 0 ] && echo ", $unclear failed unclearly")}"
[ "$corrupt" -eq 0 ] && [ "$unclear" -eq 0 ]
