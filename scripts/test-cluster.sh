#!/usr/bin/env bash
# End-to-end test of the shaded jar the way users submit it: a real Spark standalone cluster
# (master + 2 workers on 127.0.0.1, from scripts/local-cluster.sh) and real spark-submit runs
# of every job, datagen -> preprocess -> train -> evaluate -> export -> score, with the work
# spread over the executors; then the error paths (bad date, missing input partition).
#
# Prints one line per check (PASS/FAIL, scripts/lib/common.sh) and ends with 'N passed, M failed';
# exits non-zero if M > 0.
# After the run, pass or fail, each job's stdout/stderr are in out/test-cluster/logs/ and the
# master's, workers' and executors' logs in out/test-cluster/cluster/.
#
# GLMPIPE_BUILD picks the jar and the Spark whose launcher runs it (scripts/lib/common.sh):
# spark35_2.12 (default) or spark40_2.13; logs then go to out/test-cluster-<build>/.
#
# Overrides (environment): GLMPIPE_ROWS_PER_DAY (3000), GLMPIPE_SUBMIT_TIMEOUT seconds per
# job (300), GLMPIPE_KEEP_STORAGE=1 keeps the temporary storage root, plus the port and size
# variables of scripts/local-cluster.sh.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

ROWS_PER_DAY="${GLMPIPE_ROWS_PER_DAY:-3000}"
SUBMIT_TIMEOUT="${GLMPIPE_SUBMIT_TIMEOUT:-300}"
CONF_FILE=conf/local.yaml
# Three days of data: train on the first two, score the third (a day the model never saw).
DAY1=2024-03-01 DAY2=2024-03-02 DAY3=2024-03-03
MISSING_DAY=2024-04-15   # no partition is ever written for it
BAD_DAY=2026-13-01       # month 13

# Where the logs are copied when the run ends; while it runs everything lives in a private
# temporary dir, where no clean-up of out/ by another tool can take the cluster's pid files.
OUT_DIR="$GLMPIPE_ROOT/out/test-cluster"
# GLMPIPE_BUILD=spark40_2.13 tests that build's jar with Spark 4.0's own launcher and daemons.
[ "$GLMPIPE_BUILD" = spark35_2.12 ] || OUT_DIR="$OUT_DIR-$GLMPIPE_BUILD"
CLUSTER="$GLMPIPE_ROOT/scripts/local-cluster.sh"

check_start

# ---------------------------------------------------------------------------------------------
# JSON helpers (python3's json module; no jq needed)

# is_one_json_object FILE: the whole file is one line holding exactly one JSON object.
is_one_json_object() {
  python3 -c '
import json, sys
text = open(sys.argv[1]).read()
obj, end = json.JSONDecoder().raw_decode(text.strip())
ok = len(text.splitlines()) == 1 and isinstance(obj, dict) and end == len(text.strip())
sys.exit(0 if ok else 1)' "$1"
}

# jget FILE KEY: the value at the dotted KEY (e.g. partitions.0.rows) of the JSON object in
# FILE; strings as they are, everything else as JSON (true, 42, {...}). Fails if KEY is absent.
jget() {
  python3 - "$1" "$2" <<'PY'
import json, sys
node = json.load(open(sys.argv[1]))
for part in sys.argv[2].split("."):
    if isinstance(node, list) and part.isdigit():
        node = node[int(part)]
    else:
        node = node[part]
print(node if isinstance(node, str) else json.dumps(node))
PY
}

# json_log_ok FILE RUN_ID: a driver's stderr under logging.format=json: from the last line saying
# the format changed on, every line is one JSON object with timestamp, level, logger, thread and
# message, and glmpipe's own lines carry RUN_ID. Prints what is wrong and fails otherwise.
json_log_ok() {
  python3 - "$1" "$2" <<'PY'
import json, re, sys
lines = open(sys.argv[1]).read().splitlines()
# The last switch: Spark 4 on its default profile resets the layout as its context starts, and
# glmpipe switches again (LogFormat.reapplyAfterSparkStart); Spark 3.5 leaves the first one.
start = next((i for i, l in reversed(list(enumerate(lines))) if l.startswith("{") and "dev.glmpipe.jobs.LogFormat" in l), None)
if start is None:
    sys.exit("no line from dev.glmpipe.jobs.LogFormat")
ours = 0
for line in lines[start:]:
    try:
        e = json.loads(line)
    except ValueError:
        sys.exit("not JSON: " + line[:200])
    if not isinstance(e, dict) or not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", str(e.get("timestamp"))):
        sys.exit("no ISO-8601 UTC timestamp: " + line[:200])
    missing = [k for k in ("level", "logger", "thread", "message") if k not in e]
    if missing:
        sys.exit("missing %s: %s" % (missing, line[:200]))
    if e["logger"].startswith("dev.glmpipe."):
        ours += 1
        if e.get("run_id") != sys.argv[2]:
            sys.exit("run_id is not %s: %s" % (sys.argv[2], line[:200]))
if ours < 2:
    sys.exit("only %d lines from glmpipe" % ours)
PY
}

# The master's /json/ document; an empty proxy handler keeps loopback traffic off any proxy.
master_json() {
  python3 - "$MASTER_JSON_URL" <<'PY'
import sys, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
with opener.open(sys.argv[1], timeout=5) as r:
    sys.stdout.write(r.read().decode())
PY
}

# completed_apps: one line per application the master has seen finish: "id state cores name".
completed_apps() {
  master_json | python3 -c '
import json, sys
for app in json.load(sys.stdin).get("completedapps", []):
    print(app["id"], app["state"], app.get("cores", 0), app.get("name", "").replace(" ", "_"))'
}

# ---------------------------------------------------------------------------------------------
# Running a job

# submit STEP JOB ARGS...: spark-submit of the shaded jar to the cluster. stdout and stderr go to
# $LOG_DIR/STEP.out and .err; the exit code is left in $RC. Never fails itself, so the test
# goes on to count what did and did not work.
submit() {
  local step=$1; shift
  local started=$SECONDS
  # One 1-core executor per worker (--total-executor-cores is spark.cores.max), so every job's
  # tasks are spread over both workers. timeout: an app the cluster cannot give executors to
  # waits forever; fail it instead.
  # Run in the background and waited for, so Ctrl-C or a TERM reaches our trap at once (bash
  # runs traps only between foreground commands), and the trap stops it by its PID.
  timeout --signal=TERM --kill-after=30 "$SUBMIT_TIMEOUT" \
    "$SPARK_HOME/bin/spark-submit" \
      --master "$MASTER_URL" \
      --deploy-mode client \
      --class dev.glmpipe.jobs.Main \
      --driver-memory 1g \
      --executor-memory "${GLMPIPE_WORKER_MEMORY:-1g}" \
      --total-executor-cores 2 \
      --conf spark.executor.cores=1 \
      --conf spark.driver.host=127.0.0.1 \
      --conf spark.driver.bindAddress=127.0.0.1 \
      --conf spark.ui.enabled=false \
      "$JAR" "$@" \
      >"$LOG_DIR/$step.out" 2>"$LOG_DIR/$step.err" &
  SUBMIT_PID=$!
  RC=0
  wait "$SUBMIT_PID" || RC=$?
  SUBMIT_PID=""
  log "$step: exit $RC in $((SECONDS - started))s ($*)"
}

# show_failure STEP: the end of a failed job's stderr, so CI output says why.
show_failure() {
  echo "----- last lines of ${OUT_DIR#"$GLMPIPE_ROOT"/}/logs/$1.err -----"
  tail -n 25 "$LOG_DIR/$1.err" || true
  echo "-----"
}

# run_job STEP JOB ARGS...: a job that must succeed: exit 0, one JSON object on stdout, and an
# application of its own (named glmpipe-JOB by the launcher) that the master saw run on the
# cluster and FINISH with both cores: proof that spark-submit's --master won over the
# config's local master. Returns non-zero if the job failed, so the pipeline stops there.
run_job() {
  local step=$1 job=$2 before after new
  before=$(completed_apps | wc -l) || before=0
  submit "$@"
  if [ "$RC" -eq 0 ]; then pass "$step: exit code 0"; else fail "$step: exit code $RC, expected 0"; show_failure "$step"; return 1; fi
  check "$step: stdout is one JSON object on one line" is_one_json_object "$LOG_DIR/$step.out"

  # The driver unregisters on stop; the master may take a moment to list the app as completed.
  local tries
  for ((tries = 0; tries < 20; tries++)); do
    after=$(completed_apps | wc -l) || after=0
    [ "$after" -gt "$before" ] && break
    sleep 0.5
  done
  new=$(completed_apps | tail -n +"$((before + 1))") || new=""
  if [ "$(wc -l <<<"$new")" -eq 1 ] && [[ "$new" == *" FINISHED 2 glmpipe-$job" ]]; then
    pass "$step: ran as cluster application $(cut -d' ' -f1 <<<"$new"), FINISHED on 2 cores"
  else
    fail "$step: expected one new FINISHED application with 2 cores on the master, got: '${new:-none}'"
  fi
}

# ---------------------------------------------------------------------------------------------
# Set up: jar, Spark, cluster, storage root

require_java17
SPARK_HOME="$(ensure_pyspark)"
export SPARK_HOME
build_jar
[ -f "$GLMPIPE_JAR" ] || die "the build did not produce $GLMPIPE_JAR"

WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/glmpipe-cluster-test.XXXXXX")"
LOG_DIR="$WORK_DIR/logs"
# The test's own cluster state dir, so a cluster a developer started by hand with
# scripts/local-cluster.sh (state in out/cluster) is never touched by this test.
export GLMPIPE_CLUSTER_DIR="$WORK_DIR/cluster"
STORAGE_DIR="$WORK_DIR/storage"
STORAGE_ROOT="file://$STORAGE_DIR"
SUBMIT_PID=""
cleanup() {
  local rc=$?
  # Interrupted during a job: stop that spark-submit first (timeout passes the TERM on).
  if [ -n "$SUBMIT_PID" ] && kill -0 "$SUBMIT_PID" 2>/dev/null; then
    log "stopping the running spark-submit (pid $SUBMIT_PID)"
    kill -TERM "$SUBMIT_PID" 2>/dev/null || true
    wait "$SUBMIT_PID" 2>/dev/null || true
  fi
  "$CLUSTER" stop || true
  # Keep the job logs and the daemons' and executors' logs (not the jar copies) for a look later.
  rm -rf "$OUT_DIR"
  mkdir -p "$OUT_DIR"
  local keep=() d
  for d in logs cluster; do [ -d "$WORK_DIR/$d" ] && keep+=("$d"); done
  if [ "${#keep[@]}" -gt 0 ] &&
    ! (cd "$WORK_DIR" && tar cf - --exclude='*.jar' "${keep[@]}") | (cd "$OUT_DIR" && tar xf -); then
    log "could not copy the logs to $OUT_DIR"
  fi
  log "logs: $OUT_DIR/logs (jobs), $OUT_DIR/cluster (master, workers, executors)"
  if [ "${GLMPIPE_KEEP_STORAGE:-0}" = 1 ]; then
    log "storage root kept: $STORAGE_ROOT"
  else
    rm -rf "$WORK_DIR"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$LOG_DIR" "$WORK_DIR/spark-conf"
# Submit a copy: a rebuild during the run (mvn package in another shell) rewrites the jar in
# place, and a JVM reading it then fails with 'invalid LOC header'.
JAR="$WORK_DIR/$(basename "$GLMPIPE_JAR")"
cp "$GLMPIPE_JAR" "$JAR"

# The driver binds to loopback like the daemons; an empty SPARK_CONF_DIR keeps this machine's
# spark-defaults.conf (if any) out of the test.
export SPARK_LOCAL_IP=127.0.0.1 SPARK_CONF_DIR="$WORK_DIR/spark-conf"

if ! "$CLUSTER" start >/dev/null; then
  fail "cluster: start (see out/test-cluster/cluster/*.log)"
  check_summary || exit 1
fi
MASTER_URL="$(<"$GLMPIPE_CLUSTER_DIR/master-url")"
MASTER_JSON_URL="$(<"$GLMPIPE_CLUSTER_DIR/master-json-url")"
check "cluster: master $MASTER_URL lists 2 alive workers" \
  test "$(master_json | python3 -c 'import json,sys; print(json.load(sys.stdin)["aliveworkers"])')" = 2

# Settings every job gets: the temporary storage root and small data. conf/local.yaml reads raw
# input from the committed data-samples/; point raw back under the root so datagen never
# writes into the repository.
COMMON=(--conf "$CONF_FILE" --set "storage.root=$STORAGE_ROOT" --set storage.tables.raw=raw
  --set "datagen.rows_per_day=$ROWS_PER_DAY")

# ---------------------------------------------------------------------------------------------
# The pipeline. Each step depends on the one before, so the first broken step ends it.

pipeline() {
  run_job datagen datagen --from "$DAY1" --to "$DAY3" "${COMMON[@]}" || return 1

  # Days 1-2 as one range, day 3 on its own: both date forms, one spark-submit fewer.
  run_job "preprocess-$DAY1..$DAY2" preprocess --from "$DAY1" --to "$DAY2" "${COMMON[@]}" || return 1
  # Day 3 logs as JSON lines (logging.format=json): the driver's log under real spark-submit,
  # where the shaded jar (and the JSON template layout in it) sits on a child class loader.
  run_job "preprocess-$DAY3" preprocess --dt "$DAY3" "${COMMON[@]}" \
    --set logging.format=json --run-id "cluster-json-$DAY3" || return 1
  local why
  if why=$(json_log_ok "$LOG_DIR/preprocess-$DAY3.err" "cluster-json-$DAY3" 2>&1); then
    pass "preprocess-$DAY3: with logging.format=json every driver log line after the switch is JSON with the run id"
  else
    fail "preprocess-$DAY3: logging.format=json" "$why"
  fi
  local day
  for day in "$DAY1" "$DAY2" "$DAY3"; do
    check "preprocess: features/dt=$day/_SUCCESS exists" test -f "$STORAGE_DIR/features/dt=$day/_SUCCESS"
    check "preprocess: quarantine/dt=$day exists" test -d "$STORAGE_DIR/quarantine/dt=$day"
  done

  run_job train train --from "$DAY1" --to "$DAY2" "${COMMON[@]}" || return 1
  VERSION=$(jget "$LOG_DIR/train.out" version) || VERSION=""
  check "train: result names the new model version ('$VERSION')" test -n "$VERSION"

  run_job evaluate evaluate --model-version "$VERSION" "${COMMON[@]}" || return 1
  check "evaluate: $VERSION passed the quality gate" test "$(jget "$LOG_DIR/evaluate.out" passed)" = true
  run_job export export --model-version "$VERSION" "${COMMON[@]}" || return 1
  check "export: $VERSION is the champion" test "$(jget "$LOG_DIR/export.out" champion)" = "$VERSION"

  run_job "score-$DAY3" score --dt "$DAY3" "${COMMON[@]}" || return 1
  local valid scored
  valid=$(jget "$LOG_DIR/preprocess-$DAY3.out" valid_rows) || valid=""
  scored=$(jget "$LOG_DIR/score-$DAY3.out" rows) || scored=""
  if [ -n "$valid" ] && [ "$scored" = "$valid" ]; then
    pass "score-$DAY3: scored rows ($scored) = preprocess valid rows ($valid)"
  else
    fail "score-$DAY3: scored rows '$scored' != preprocess valid rows '$valid'"
  fi
  check "score-$DAY3: scored with the champion $VERSION" \
    test "$(jget "$LOG_DIR/score-$DAY3.out" model_version)" = "$VERSION"
  MODEL=$(jget "$LOG_DIR/score-$DAY3.out" model) || MODEL=""
  check "score-$DAY3: scores/$MODEL/dt=$DAY3/_SUCCESS exists" \
    test -n "$MODEL" -a -f "$STORAGE_DIR/scores/$MODEL/dt=$DAY3/_SUCCESS"
  check "score-$DAY3: the partition holds Parquet files" \
    compgen -G "$STORAGE_DIR/scores/$MODEL/dt=$DAY3/*.parquet"
}

MODEL=""
pipeline || true

# Work really ran on the executors: every worker's executors logged tasks they ran.
for worker_dir in "$GLMPIPE_CLUSTER_DIR"/worker-*/; do
  worker=$(basename "$worker_dir")
  tasks=$(cat "$worker_dir"/app-*/*/stderr 2>/dev/null | grep -c 'Running task' || true)
  if [ "${tasks:-0}" -gt 0 ]; then
    pass "$worker: its executors ran $tasks tasks"
  else
    fail "$worker: its executors ran no task"
  fi
done

# ---------------------------------------------------------------------------------------------
# Error paths, through spark-submit too

# expect_error STEP CODE TEXT: the job exited with CODE, its stderr has exactly one line naming
# TEXT and that line is the launcher's 'glmpipe <job>: error: ...', there is no stack trace,
# and stdout (the result channel) holds at most the failed run's one-line result, with that exit code.
expect_error() {
  local step=$1 code=$2 text=$3 err="$LOG_DIR/$1.err" line
  line=$(grep -F -- "$text" "$err" | head -n 1) || line=""
  if [ "$RC" -eq "$code" ]; then pass "$step: exit code $code"; else fail "$step: exit code $RC, expected $code (stderr: ${line:-$(tail -n 1 "$err")})"; fi
  check "$step: one error line on stderr names '$text'" \
    test "$(grep -cF -- "$text" "$err")" -eq 1 -a -n "$(grep -E '^glmpipe [a-z]+: error: ' <<<"$line")"
  check "$step: no stack trace on stderr" bash -c "! grep -qE '^[[:space:]]+at |Exception in thread' \"\$1\"" _ "$err"
  # (A command line picocli rejects, such as a malformed date, never reaches the job: no result.)
  check "$step: stdout is empty or the failed result, one line with exit code $code" bash -c \
    '! test -s "$1" || { test "$(wc -l <"$1")" -eq 1 && grep -F "\"status\":\"failed\"" "$1" | grep -qF "\"exit_code\":$2,"; }' \
    _ "$LOG_DIR/$step.out" "$code"
}

# A bad date is a usage error, caught before Spark starts: exit 2.
submit bad-date preprocess --dt "$BAD_DAY" "${COMMON[@]}"
expect_error bad-date 2 "$BAD_DAY"

# Scoring a day that has no input partition is a missing-input error: exit 3. (It needs the
# champion the pipeline exported; without one the job exits 2 for that reason instead.)
submit missing-day score --dt "$MISSING_DAY" "${COMMON[@]}"
expect_error missing-day 3 "$MISSING_DAY"
check "missing-day: no scores partition written" test ! -e "$STORAGE_DIR/scores/${MODEL:-churn}/dt=$MISSING_DAY"

# Nothing was left running or failed on the master.
check "cluster: no application still active" \
  test "$(master_json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["activeapps"]))')" = 0
check "cluster: every completed application FINISHED (none FAILED or KILLED)" \
  bash -c "! grep -vq ' FINISHED ' <<<\"\$1\"" _ "$(completed_apps)"

check_summary
