#!/usr/bin/env bash
# The pipeline on s3a:// against a real S3-protocol server: moto in server mode on 127.0.0.1,
# with Hadoop's S3A connector (hadoop-aws of Spark's Hadoop version, from Maven Central).
#   datagen → preprocess → train → evaluate → export → score --new, all under s3a://…;
#   then: score --new finds nothing new (the ledger lives on S3 too); the last date scored into an
#   Iceberg table (JDBC catalog in SQLite, data on S3) while an analyst's reader (PyIceberg and
#   DuckDB's iceberg extension, scripts/table-reader.py) reads it in a loop — through reruns and
#   through runs killed with SIGKILL at several points — and must never see the date partial,
#   duplicated or empty; the same date published as Parquet through a Hive metastore service
#   (score --table, under spark-submit) while Spark SQL reads it through that metastore in a
#   loop, through reruns and killed runs, with the same rule; and a model file changed behind the
#   registry's back is refused (exit 3) before anything is scored.
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
  duckdb-extension-iceberg==1.5.5 "pyiceberg[sql-sqlite,pyarrow]==$PYICEBERG_VERSION"
use_s3a_connector
# The Iceberg JDBC catalog's SQLite driver (Maven Central, once).
SQLITE_JDBC=3.51.1.0
./mvnw -B -q dependency:get -Dartifact="org.xerial:sqlite-jdbc:$SQLITE_JDBC" -Dtransitive=false >&2 \
  || die "cannot fetch org.xerial:sqlite-jdbc:$SQLITE_JDBC"
m2=$(./mvnw -B -q help:evaluate -Dexpression=settings.localRepository -DforceStdout)
export GLMPIPE_EXTRA_CLASSPATH="$GLMPIPE_EXTRA_CLASSPATH:$m2/org/xerial/sqlite-jdbc/$SQLITE_JDBC/sqlite-jdbc-$SQLITE_JDBC.jar"

work=$(mktemp -d)
start_moto "$work/moto.log"
trap 'kill "$MOTO_PID" ${HMS_PID:-} ${READER_PID:-} 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
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
reader() {  # reader FORMAT ARGS...: table-reader.py in the background, once it has read; READER_PID
  local python="$venv/bin/python"
  [ "$1" = hive-parquet ] && python="$(pyspark_venv)/bin/python"  # PySpark, with the Hive client
  rm -f "$work/stop"
  "$python" scripts/table-reader.py --format "$@" --dt "$idt" --expect "$expect" --endpoint "$endpoint" \
    --stop-file "$work/stop" >"$work/reader.json" 2>"$work/reader.err" &
  READER_PID=$!
  for _ in $(seq 1 1200); do grep -q "^first read" "$work/reader.err" 2>/dev/null && return; sleep 0.2; done
  fail "the $1 reader made no read within 240 s" "$(tail -3 "$work/reader.err")"
}
judge() {  # judge NAME [MIN_VERSIONS]: stops the reader (in this shell: it is its child); its verdict
  local verdict seen
  touch "$work/stop"; wait "$READER_PID" || true
  verdict=$(cat "$work/reader.json")
  seen=$(grep -o '"versions_seen": [0-9]*' <<<"$verdict" | grep -o '[0-9]*$' || echo 0)
  if [ "${seen:-0}" -lt "${2:-1}" ]; then
    fail "$1: the reader saw ${seen:-0} versions of the date, expected at least ${2:-1}" "$verdict"
  fi
  echo "$1: $verdict" >&2
  if grep -q '"violation_count": 0' <<<"$verdict" && ! grep -q '"reads": 0' <<<"$verdict"; then
    pass "$1: every read of dt=$idt whole ($verdict)"
  else
    fail "$1: the reader saw dt=$idt partial, duplicated or empty, or never read" "$verdict"; tail -3 "$work/reader.err"
  fi
}
killed_runs() {  # killed_runs DELAY... -- COMMAND...: a run of COMMAND SIGKILLed at each DELAY ('start':
  # during start-up; N: N s after it loaded the model: reading, scoring, writing, committing).
  # COMMAND must exec the JVM, so that its pid is the JVM's. KILLS: how many were still running.
  local delays=() delay victim
  while [ "$1" != -- ]; do delays+=("$1"); shift; done
  shift
  KILLS=0
  for delay in "${delays[@]}"; do
    "$@" >/dev/null 2>"$work/killed.log" &
    victim=$!
    if [ "$delay" = start ]; then
      sleep 3
    else
      for _ in $(seq 1 600); do grep -q "scoring with" "$work/killed.log" 2>/dev/null && break; sleep 0.2; done
      sleep "$delay"
    fi
    kill -9 "$victim" 2>/dev/null && KILLS=$((KILLS + 1)) || true
    wait "$victim" 2>/dev/null || true
  done
}
iceberg_reader=(iceberg --catalog-uri "sqlite:///$work/catalog.db" --table glmpipe.scores_churn)
# Reruns: each replaces the date in one commit while the reader reads.
reader "${iceberg_reader[@]}"
for i in 1 2 3; do run score --dt "$idt" "${iceberg[@]}" >/dev/null || fail "Iceberg rerun $i failed"; done
judge "3 Iceberg reruns of dt=$idt" 3
reader "${iceberg_reader[@]}"
killed_runs start 0 1 2 3 4 6 -- scripts/glmpipe.sh score "${conf[@]}" --dt "$idt" "${iceberg[@]}"
judge "7 Iceberg score runs SIGKILLed at start-up and 0-6 s after loading the model ($KILLS were still running)"
if again=$(run score --dt "$idt" "${iceberg[@]}") && [ "$(result_field "$again" rows)" = "$expect" ]; then
  pass "after the kills a rerun commits dt=$idt whole ($expect rows)"
else
  fail "the rerun after the kills: ${again:-failed}"
fi

# The same date as Parquet published through the catalog (score --table): each run writes a run
# directory of its own, then repoints the date's partition in a Hive metastore service, while
# Spark SQL reads the date through that metastore in a loop (as Athena or Trino would through
# Glue). The jobs run under pyspark's spark-submit, whose Spark has the Hive client.
spark_home=$(ensure_pyspark)
source "$(dirname "$0")/lib/hive-metastore.sh"
start_hive_metastore "$spark_home" "$work/hms" "$GLMPIPE_EXTRA_CLASSPATH" "fs.s3a.endpoint=$endpoint" \
  fs.s3a.endpoint.region=us-east-1 fs.s3a.path.style.access=true fs.s3a.connection.ssl.enabled=false \
  fs.s3a.aws.credentials.provider=com.amazonaws.auth.EnvironmentVariableCredentialsProvider
cat >"$work/submit.sh" <<SUBMIT
#!/usr/bin/env bash
# One glmpipe job through spark-submit, in local mode (exec: its pid becomes the JVM's).
exec "$spark_home/bin/spark-submit" --master 'local[2]' --driver-memory 2g --class dev.glmpipe.jobs.Main \\
  --driver-java-options "-Dlog4j2.configurationFile=$GLMPIPE_ROOT/conf/log4j2.properties" \\
  --driver-class-path "$GLMPIPE_EXTRA_CLASSPATH" "$GLMPIPE_JAR" "\$@"
SUBMIT
chmod +x "$work/submit.sh"
hive=(--table glmpipe.scores_churn --set spark.conf.spark.sql.catalogImplementation=hive
  --set "spark.conf.spark.hadoop.hive.metastore.uris=$HMS_URI"
  --set "spark.conf.spark.sql.warehouse.dir=s3a://$bucket/glmpipe/warehouse")
if first=$("$work/submit.sh" score "${conf[@]}" --dt "$idt" "${hive[@]}" 2>"$work/score.log") \
    && [ "$(result_field "$first" rows)" = "$expect" ] && grep -q '"table":"glmpipe.scores_churn"' <<<"$first"; then
  pass "score --dt $idt --table: dt=$idt published through the Hive metastore ($expect rows, $(grep -o 'run=[^"]*' <<<"$first"))"
else
  fail "score --table through the Hive metastore: ${first:-failed}"; tail -5 "$work/score.log"
fi
hive_reader=(hive-parquet --metastore-uri "$HMS_URI" --extra-classpath "$GLMPIPE_EXTRA_CLASSPATH" --table glmpipe.scores_churn)
# One reader through both (a PySpark session takes up to a minute to start on a busy machine).
reader "${hive_reader[@]}"
for i in 1 2; do
  "$work/submit.sh" score "${conf[@]}" --dt "$idt" "${hive[@]}" >/dev/null 2>"$work/score.log" \
    || fail "catalog-published rerun $i failed" "$(tail -3 "$work/score.log")"
done
killed_runs start 0 2 4 -- "$work/submit.sh" score "${conf[@]}" --dt "$idt" "${hive[@]}"
judge "2 catalog-published Parquet reruns of dt=$idt, then 4 runs SIGKILLed at start-up and 0-4 s after loading the model ($KILLS were still running)" 3
if again=$("$work/submit.sh" score "${conf[@]}" --dt "$idt" "${hive[@]}" 2>"$work/score.log") \
    && [ "$(result_field "$again" rows)" = "$expect" ]; then
  pass "after the kills a rerun publishes dt=$idt whole ($expect rows)"
else
  fail "the catalog-published rerun after the kills: ${again:-failed}"; tail -5 "$work/score.log"
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
