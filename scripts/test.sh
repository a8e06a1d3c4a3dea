#!/usr/bin/env bash
# Runs every test glmpipe has, on real components:
#   1. Maven: unit tests and the in-process integration tests (*IT) through the launcher, on the
#      default build (Spark 3.5 / Scala 2.12, ANSI off as Spark 3.5 has it); then the other
#      builds (README: Which jar each platform takes), each its own shaded jar:
#      Spark 4.0 / Scala 2.13 (ANSI on, Spark 4's default): unit tests and the integration tests
#        of the pipeline, scoring, exports, the contract and bad input, the shaded jar;
#      Spark 3.5 / Scala 2.13 with ANSI on, and Spark 4.2 with ANSI off (so each Spark line runs
#        both modes): unit tests, the shaded jar, the end-to-end pipeline and scoring tests;
#   2. the shaded jar under real spark-submit on a standalone cluster on 127.0.0.1, for the
#      default jar with Spark 3.5's launcher and the Spark 4.0 jar with Spark 4.0's;
#   3. the Airflow DAGs in a real Airflow (DagBag, rendered arguments, a local end-to-end run);
#   4. the EMR / Dataproc submit scripts in dry-run mode;
#   5. run-local.sh, the README's first command, on the committed sample data;
#   6. the benchmark scripts, end to end on small inputs (smoke test, no figures judged);
#   7. the pipeline on s3a:// against an S3-protocol server (moto) on 127.0.0.1;
#   8. run metrics: a real Pushgateway and Prometheus on 127.0.0.1, every dashboard query;
#   9. kill trials: each job killed at a seeded moment while a reader polls, then rerun.
# Needs only Java 17 and Python 3 with venv; everything else is fetched on first use.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$GLMPIPE_ROOT"
require_java17

# The HTML report test opens the report in headless Chromium (Debian package `chromium`); it
# fails without it, so install it here when missing (idempotent).
if ! command -v chromium >/dev/null 2>&1; then
  log "installing chromium for the HTML report test"
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update && $sudo_cmd apt-get install -y chromium
fi

# Integration tests run on the builds other than the default (see the note above step 1).
SPARK40_ITS="ShadedJarIT,PipelineIT,ScoreIT,TrainIT,ReleaseIT,PreprocessIT,ContractIT,BadInputIT,MonitorIT,IcebergScoresIT"
OTHER_BUILD_ITS="ShadedJarIT,PipelineIT,ScoreIT"

log "1/9 Maven unit and integration tests: default build, Spark 3.5 / Scala 2.12"
./mvnw -B verify

# The other builds compile into target/<build>/ and write their own jar: nothing above is redone
# or overwritten. Their integration tests: what differs by Spark line (MLlib behaviour the scorer
# and the exports mirror, internal row scans, ANSI mode) and the shaded jar; the default build's
# run covers the rest (launcher wiring, locks, logs, records), which is the same Java code.
log "1/9 Maven: Spark 4.0 / Scala 2.13 build (EMR 8, Dataproc 3.0), ANSI on"
./mvnw -B -P spark40 verify -Dit.test="$SPARK40_ITS"
log "1/9 Maven: Spark 3.5 / Scala 2.13 build (Dataproc Serverless 2.2/2.3), ANSI on"
./mvnw -B -P spark35-scala213 verify -Dtest.ansi=true -Dit.test="$OTHER_BUILD_ITS"
log "1/9 Maven: newest Spark 4 build (4.2), ANSI off"
./mvnw -B -P spark4-latest verify -Dtest.ansi=false -Dit.test="$OTHER_BUILD_ITS"

log "2/9 spark-submit on a standalone cluster: the default jar with Spark 3.5"
scripts/test-cluster.sh
log "2/9 spark-submit on a standalone cluster: the Spark 4.0 jar with Spark 4.0"
GLMPIPE_BUILD=spark40_2.13 scripts/test-cluster.sh

log "3/9 Airflow DAGs"
scripts/test-airflow.sh

log "4/9 submit scripts (dry run)"
scripts/test-submit-scripts.sh

log "5/9 run-local.sh on data-samples/"
sample_out=$(mktemp -d)
trap 'rm -rf "$sample_out"' EXIT
GLMPIPE_OUT="$sample_out" scripts/run-local.sh
# The last day's scores must be there, committed.
check_start
check "run-local.sh wrote and committed the scores of 2026-11-07" \
  test -f "$sample_out/scores/churn/dt=2026-11-07/_SUCCESS"
check_summary

log "6/9 benchmark scripts (smoke test on small inputs)"
scripts/test-benchmarks.sh

log "7/9 the pipeline on s3a:// (moto S3 server on 127.0.0.1)"
scripts/test-s3.sh

log "8/9 run metrics: Pushgateway + Prometheus on 127.0.0.1, every dashboard query"
scripts/test-metrics.sh

log "9/9 kill trials: each job killed (kill -9) at a seeded moment, a reader polling, then rerun"
scripts/test-faults.sh --trials 1 --seed 7
