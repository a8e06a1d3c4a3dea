#!/usr/bin/env bash
# The pipeline on s3a:// against a real S3-protocol server: moto in server mode on 127.0.0.1,
# with Hadoop's S3A connector (hadoop-aws of Spark's Hadoop version, from Maven Central).
#   datagen → preprocess → train → evaluate → export → score --new, all under s3a://…;
#   then: score --new finds nothing new (the ledger lives on S3 too); the last date scored into an
#   Iceberg table (JDBC catalog in SQLite, data on S3) while an analyst's reader (PyIceberg and
#   DuckDB's iceberg extension, scripts/table-reader.py) reads it in a loop — through reruns and
#   through runs killed with SIGKILL at several points — and must never see the date partial,
#   duplicated or empty; and a model file changed behind the registry's back is refused (exit 3)
#   before anything is scored.
# Object stores have no atomic rename, so the registry writes versions in place with the
# manifest last; this is where that mode meets a real S3 API.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$GLMPIPE_ROOT"
build_jar

source "$(dirname "$0")/lib/s3.sh"
# The Iceberg readers: PyIceberg (SQL catalog, pyarrow) and DuckDB with its extensions as pip
# packages (loaded from there by table-reader.py, never downloaded).
ensure_moto duckdb==1.5.5 duckdb-extension-httpfs==1.5.5 duckdb-extension-avro==1.5.5 \
  duckdb-extension-iceberg==1.5.5 "pyiceberg[sql-sqlite,pyarrow]==0.12.0"
use_s3a_connector
# The Iceberg JDBC catalog's SQLite driver (Maven Central, once).
SQLITE_JDBC=3.51.1.0
./mvnw -B -q dependency:get -Dartifact="org.xerial:sqlite-jdbc:$SQLITE_JDBC" -Dtransitive=false >&2 \
  || die "cannot fetch org.xerial:sqlite-jdbc:$SQLITE_JDBC"
m2=$(./mvnw -B -q help:evaluate -Dexpression=settings.localRepository -DforceStdout)
export GLMPIPE_EXTRA_CLASSPATH="$GLMPIPE_EXTRA_CLASSPATH:$m2/org/xerial/sqlite-jdbc/$SQLITE_JDBC/sqlite-jdbc-$SQLITE_JDBC.jar"

work=$(mktemp -d)
start_moto "$work/moto.log"
trap 'kill "$MOTO_PID" 2>/dev/null; wait "$MOTO_PID" 2>/dev/null; rm -rf "$work"' EXIT
endpoint=$MOTO_ENDPOINT
venv=$MOTO_VENV

# Test credentials for the test server, through the provider chain as on a real account.
export AWS_ACCESS_KEY_ID=glmpipe-test AWS_SECRET_ACCESS_KEY=glmpipe-test AWS_DEFAULT_REGION=us-east-1
bucket=glmpipe-it
s3() {  # a boto3 call against the test server: s3 <python using client c>
  "$venv/bin/python" -c "import boto3; c = boto3.client('s3', endpoint_url='$endpoint'); $1"
}
s3 "c.create_bucket(Bucket='$bucket')"

# Every table under the s3a:// root on the test server.
s3_conf "$endpoint" "s3a://$bucket/glmpipe"
conf=("${S3_CONF[@]}")

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

# The last date into an Iceberg table on S3 (catalog: JDBC in SQLite), read in a loop meanwhile.
iceberg=(--set score.table_format=iceberg
  --set "storage.iceberg.properties={type: jdbc, uri: 'jdbc:sqlite:$work/catalog.db', warehouse: iceberg}")
idt=${days[2]}
if first=$(run score --dt "$idt" "${iceberg[@]}") && grep -q '"table":"glmpipe.glmpipe.scores_churn"' <<<"$first"; then
  pass "score --dt $idt into the Iceberg table glmpipe.glmpipe.scores_churn on S3"
else
  fail "score into Iceberg on S3 failed: ${first:-}"; tail -5 "$work/score.log"
fi
expect=$(result_field "${first:-}" rows)
reader() {  # starts table-reader.py in the background; READER_PID, its JSON in $work/reader.json
  rm -f "$work/stop"
  "$venv/bin/python" scripts/table-reader.py --catalog-uri "sqlite:///$work/catalog.db" --table glmpipe.scores_churn \
    --dt "$idt" --expect "$expect" --endpoint "$endpoint" --stop-file "$work/stop" >"$work/reader.json" 2>"$work/reader.err" &
  READER_PID=$!
  sleep 3
}
judge() {  # judge NAME [MIN_SNAPSHOTS]: stops the reader (in this shell: it is its child); its verdict
  local verdict seen
  touch "$work/stop"; wait "$READER_PID" || true
  verdict=$(cat "$work/reader.json")
  seen=$(grep -o '"snapshots_seen": [0-9]*' <<<"$verdict" | grep -o '[0-9]*$' || echo 0)
  if [ "${seen:-0}" -lt "${2:-1}" ]; then
    fail "$1: the reader saw ${seen:-0} snapshots of the table, expected at least ${2:-1}" "$verdict"
  fi
  echo "$1: $verdict" >&2
  if grep -q '"violation_count": 0' <<<"$verdict" && ! grep -q '"reads": 0' <<<"$verdict"; then
    pass "$1: every read of dt=$idt whole ($verdict)"
  else
    fail "$1: the reader saw dt=$idt partial, duplicated or empty, or never read" "$verdict"; tail -3 "$work/reader.err"
  fi
}
# Reruns: each replaces the date in one commit while the reader reads.
reader
for i in 1 2 3; do run score --dt "$idt" "${iceberg[@]}" >/dev/null || fail "Iceberg rerun $i failed"; done
judge "3 Iceberg reruns of dt=$idt" 3
# Kills: runs killed with SIGKILL at different points: starting up, then 0-6 s after the model
# was loaded (reading, scoring, writing data files, committing).
reader
kills=0
for delay in start 0 1 2 3 4 6; do
  scripts/glmpipe.sh score "${conf[@]}" --dt "$idt" "${iceberg[@]}" >/dev/null 2>"$work/killed.log" &
  victim=$!
  if [ "$delay" = start ]; then
    sleep 3
  else
    for _ in $(seq 1 600); do grep -q "scoring with" "$work/killed.log" 2>/dev/null && break; sleep 0.2; done
    sleep "$delay"
  fi
  kill -9 "$victim" 2>/dev/null && kills=$((kills + 1)) || true  # glmpipe.sh execs the JVM
  wait "$victim" 2>/dev/null || true
done
judge "7 Iceberg score runs SIGKILLed at start-up and 0-6 s after loading the model ($kills were still running)"
if again=$(run score --dt "$idt" "${iceberg[@]}") && [ "$(result_field "$again" rows)" = "$expect" ]; then
  pass "after the kills a rerun commits dt=$idt whole ($expect rows)"
else
  fail "the rerun after the kills: ${again:-failed}"
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
