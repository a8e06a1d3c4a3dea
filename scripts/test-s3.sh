#!/usr/bin/env bash
# The pipeline on s3a:// against a real S3-protocol server: moto in server mode on 127.0.0.1,
# with Hadoop's S3A connector (hadoop-aws of Spark's Hadoop version, from Maven Central).
#   datagen → preprocess → train → evaluate → export → score --new, all under s3a://…;
#   then: score --new finds nothing new (the ledger lives on S3 too), and a model file changed
#   behind the registry's back is refused (exit 3) before anything is scored.
# Object stores have no atomic rename, so the registry writes versions in place with the
# manifest last; this is where that mode meets a real S3 API.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$GLMPIPE_ROOT"
build_jar

source "$GLMPIPE_ROOT/scripts/lib/s3.sh"
s3_ensure_moto
s3_connector_classpath

work=$(mktemp -d)
s3_start_moto "$work/moto.log"
trap 'kill "$MOTO_PID" 2>/dev/null; wait "$MOTO_PID" 2>/dev/null; rm -rf "$work"' EXIT

bucket=glmpipe-it
s3() { s3_call "$1"; }  # a boto3 call against the test server: s3 <python using client c>
s3 "c.create_bucket(Bucket='$bucket')"

# Every table under the s3a:// root: conf/local.yaml points raw at the committed sample data.
conf=(--conf conf/local.yaml --set "storage.root=s3a://$bucket/glmpipe" --set storage.tables.raw=raw
  $(s3_conf)
  --set datagen.rows_per_day=1500)

check_start
run() {  # job args...: the job's JSON result on stdout; its log in $work/<job>.log
  local job="$1"; shift
  scripts/glmpipe.sh "$job" "${conf[@]}" "$@" 2>"$work/$job.log"
}
keys() {  # every object key under a prefix, one a line
  s3 "
p = c.get_paginator('list_objects_v2')
for page in p.paginate(Bucket='$bucket', Prefix='glmpipe/$1'):
    for o in page.get('Contents', []): print(o['Key'])"
}

days=(2026-11-01 2026-11-02 2026-11-03)
for step in "datagen --from ${days[0]} --to ${days[2]}" "preprocess --from ${days[0]} --to ${days[2]}" \
    "train --from ${days[0]} --to ${days[1]}" "evaluate" "export" "score --new"; do
  read -r -a args <<<"$step"
  if result=$(run "${args[@]}"); then
    pass "${args[0]} on s3a:// exits 0"
    echo "$result" >"$work/${args[0]}.json"
  else
    fail "${args[0]} on s3a:// exits 0" "it failed; the end of its log:"
    tail -5 "$work/${args[0]}.log"
  fi
done

if [ -s "$work/score.log" ] && ! grep -q "not read on the driver\|read by MLlib's reader" "$work/score.log"; then
  pass "score read every stage of the model from S3 on the driver (no MLlib reader fallback)"
else
  fail "score read every stage of the model from S3 on the driver" "no score log, or it fell back to MLlib's reader:"
  grep "not read on the driver\|read by MLlib's reader" "$work/score.log" | head -3 || true
fi

# Listings are taken whole before grep reads them: grep -q stops reading at its first match.
for dt in "${days[@]}"; do
  if grep -q "\.csv$" <<<"$(keys "raw/dt=$dt/")" && grep -q "/_SUCCESS$" <<<"$(keys "features/dt=$dt/")" \
      && grep -q "\.parquet$" <<<"$(keys "quarantine/dt=$dt/")"; then
    pass "raw, features and quarantine of dt=$dt are on S3, the features partition committed"
  else
    fail "raw, features or quarantine of dt=$dt missing on S3"
  fi
done
version=$(grep -o '"version":"[^"]*"' "$work/train.json" 2>/dev/null | head -1 | cut -d'"' -f4 || true)
if [ -n "$version" ] && grep -q "/manifest.json$" <<<"$(keys "models/churn/versions/$version/")" \
    && grep -q "champion.json$" <<<"$(keys "models/churn/aliases/")"; then
  pass "version $version has its manifest on S3, and the champion alias points at a version"
else
  fail "no manifest or champion alias on S3 for version '${version:-?}'"
fi
scored=$(grep -c "/dt=[0-9-]*/_SUCCESS$" <<<"$(keys "scores/churn/")" || true)
if [ "$scored" = 3 ] && grep -q '"rows":[1-9]' "$work/score.json" 2>/dev/null; then
  pass "score --new scored the 3 committed partitions on S3"
else
  fail "score --new: $scored committed score partitions on S3 (expected 3)"
fi
if again=$(run score --new) && grep -q '"partitions":\[\]' <<<"$again"; then
  pass "score --new again: nothing new (the ledger on S3 says all are scored)"
else
  fail "score --new again scored something or failed: ${again:-}"
fi

# Tamper with a file of the champion behind the registry's back: scoring must refuse it.
victim=$(grep -m1 "/metadata/part-00000$" <<<"$(keys "models/churn/versions/$version/model/stages/")")
s3 "c.put_object(Bucket='$bucket', Key='$victim', Body=b'{}')"
set +e
run score --dt "${days[2]}" >/dev/null
code=$?
set -e
if [ "$code" = 3 ] && grep -q "$version" "$work/score.log"; then
  pass "a model file changed on S3 is refused before scoring (exit 3, naming the version)"
else
  fail "a tampered model on S3: exit $code, expected 3; log:"
  tail -5 "$work/score.log"
fi

check_summary
