#!/usr/bin/env bash
# Runs every test glmpipe has, on real components:
#   1. Maven: unit tests and the in-process integration tests (*IT) through the launcher, on the
#      default build (Spark 3.5 / Scala 2.12, ANSI off as Spark 3.5 has it); then the other
#      builds (README: Which jar each platform takes), each its own shaded jar, with
#      scripts/test-builds.sh lean: Spark 4.0 / Scala 2.13 (ANSI on), Spark 3.5 / Scala 2.13
#      (ANSI on) and Spark 4.2 (ANSI off) each list their jar and run the unit tests of what
#      differs by Spark line and the end-to-end pipeline test (Spark 4.0 also scoring's);
#   2. the shaded jar under real spark-submit on a standalone cluster on 127.0.0.1, for the
#      default jar with Spark 3.5's launcher and the Spark 4.0 jar with Spark 4.0's;
#   3. the Airflow DAGs in a real Airflow (DagBag, rendered arguments, a local end-to-end run);
#   4. the EMR / Dataproc submit scripts in dry-run mode;
#   5. run-local.sh, the README's first command, on the committed sample data, and with --iceberg;
#   6. the benchmark scripts, end to end on small inputs (smoke test, no figures judged);
#   7. the pipeline on s3a:// against an S3-protocol server (moto) on 127.0.0.1;
#   8. run metrics: a real Pushgateway and Prometheus on 127.0.0.1, every dashboard query;
#   9. kill trials: each job killed at a seeded moment while a reader polls, then rerun.
# Needs only Java 17 and Python 3 with venv; everything else is fetched on first use.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$GLMPIPE_ROOT"
require_java17
# Each step's start and the total, in minutes since this script started: what CI's budget is spent on.
step() { log "$1 (at $((SECONDS / 60)) min $((SECONDS % 60)) s)"; }
trap 'log "test.sh ended after $((SECONDS / 60)) min $((SECONDS % 60)) s"' EXIT

# The HTML report test opens the report in headless Chromium (Debian package `chromium`); it
# fails without it, so install it here when missing (idempotent).
if ! command -v chromium >/dev/null 2>&1; then
  log "installing chromium for the HTML report test"
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update && $sudo_cmd apt-get install -y chromium
fi

step "1/9 Maven unit and integration tests: default build, Spark 3.5 / Scala 2.12"
./mvnw -B verify

step "1/9 the other builds: Spark 4.0 / Scala 2.13, Spark 3.5 / Scala 2.13, Spark 4.2 (lean: see scripts/test-builds.sh)"
scripts/test-builds.sh lean

step "2/9 spark-submit on a standalone cluster: the default jar with Spark 3.5"
scripts/test-cluster.sh
step "2/9 spark-submit on a standalone cluster: the Spark 4.0 jar with Spark 4.0"
GLMPIPE_BUILD=spark40_2.13 scripts/test-cluster.sh

step "3/9 Airflow DAGs"
scripts/test-airflow.sh

step "4/9 submit scripts (dry run)"
scripts/test-submit-scripts.sh

step "5/9 run-local.sh on data-samples/"
sample_out=$(mktemp -d)
trap 'rm -rf "$sample_out"; log "test.sh ended after $((SECONDS / 60)) min $((SECONDS % 60)) s"' EXIT
GLMPIPE_OUT="$sample_out" scripts/run-local.sh
# With Iceberg tables too; the last day's scores of both runs must be the same rows and scores.
GLMPIPE_OUT="$sample_out/iceberg-run" scripts/run-local.sh --iceberg
source scripts/lib/s3.sh  # its venv has pyiceberg and pyarrow, the analyst's readers
ensure_moto "pyiceberg[sql-sqlite,pyarrow]==$PYICEBERG_VERSION"
check_start
check "run-local.sh wrote and committed the scores of 2026-11-07" \
  test -f "$sample_out/scores/churn/dt=2026-11-07/_SUCCESS"
# Each run trains a model of its own, and two trainings on the same data agree to about 1e-15,
# not to the last bit, so the scores are compared to 1e-12. One model's scores written both
# ways are identical to the bit (IcebergScoresIT).
name="run-local.sh --iceberg scored 2026-11-07 into an Iceberg table: the Parquet run's keys, the same scores"
if same=$("$MOTO_VENV/bin/python" scripts/compare-scores.py --parquet "$sample_out/scores/churn/dt=2026-11-07" \
    --iceberg "$sample_out/iceberg-run/iceberg/glmpipe/scores_churn" --dt 2026-11-07 --tolerance 1e-12); then
  pass "$name ($same)"
else
  fail "$name" "${same:-no verdict}"
fi
check_summary

step "6/9 benchmark scripts (smoke test on small inputs)"
scripts/test-benchmarks.sh

step "7/9 the pipeline on s3a:// (moto S3 server on 127.0.0.1)"
scripts/test-s3.sh

step "8/9 run metrics: Pushgateway + Prometheus on 127.0.0.1, every dashboard query"
scripts/test-metrics.sh

step "9/9 kill trials: each job killed (kill -9) at a seeded moment, a reader polling, then rerun"
scripts/test-faults.sh --trials 1 --seed 7
