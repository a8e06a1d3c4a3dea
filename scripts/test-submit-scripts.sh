#!/usr/bin/env bash
# Checks the EMR and Dataproc submit scripts build the commands users expect (dry run: no cloud).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$GLMPIPE_ROOT"

check_start
expect() {  # expect <name> <needle> <output>
  if grep -qF -- "$2" <<<"$3"; then pass "$1"; else fail "$1" "missing '$2' in: $3"; fi
}

emr=$(GLMPIPE_DRY_RUN=1 GLMPIPE_S3_PREFIX=s3://bucket/rel EMR_CLUSTER_ID=j-ABC scripts/submit-emr.sh score --dt 2026-11-07)
expect emr-cluster "--cluster-id j-ABC" "$emr"
expect emr-class '\"--class\"\,\"dev.glmpipe.jobs.Main\"' "$emr"
expect emr-jar "s3://bucket/rel/$(basename "$GLMPIPE_JAR")" "$emr"
expect emr-args '\"score\"\,\"--conf\"\,\"s3://bucket/rel/conf/emr.yaml\"\,\"--dt\"\,\"2026-11-07\"' "$emr"
expect emr-deploy '\"--deploy-mode\"\,\"cluster\"\,\"--conf\"\,\"spark.yarn.maxAppAttempts=1\"' "$emr"
quoted=$(GLMPIPE_DRY_RUN=1 GLMPIPE_S3_PREFIX=s3://bucket/rel EMR_CLUSTER_ID=j-ABC scripts/submit-emr.sh score --set 'x="y"')
expect emr-json-escaping '\"x=\\\"y\\\"\"' "$quoted"

up=$(GLMPIPE_DRY_RUN=1 GLMPIPE_S3_PREFIX=s3://bucket/rel scripts/submit-emr.sh upload)
expect emr-upload-base "s3://bucket/rel/conf/base.yaml" "$up"
expect emr-upload-overlay "s3://bucket/rel/conf/emr.yaml" "$up"

dp=$(GLMPIPE_DRY_RUN=1 GLMPIPE_GCS_PREFIX=gs://bucket/rel DATAPROC_CLUSTER=c1 DATAPROC_REGION=europe-west1 \
  scripts/submit-dataproc.sh train --from 2026-11-01 --to 2026-11-07)
expect dataproc-cluster "--cluster c1 --region europe-west1" "$dp"
expect dataproc-args "--class dev.glmpipe.jobs.Main --jars gs://bucket/rel/$(basename "$GLMPIPE_JAR") -- train --conf gs://bucket/rel/conf/dataproc.yaml --from 2026-11-01 --to 2026-11-07" "$dp"

# The default jar is the Spark 3.5 / Scala 2.12 build's; a platform setting picks another.
expect default-jar "glmpipe-jobs-$GLMPIPE_VERSION-spark35_2.12.jar" "$emr"
emr8=$(GLMPIPE_PLATFORM=emr-8 GLMPIPE_DRY_RUN=1 GLMPIPE_S3_PREFIX=s3://bucket/rel EMR_CLUSTER_ID=j-ABC scripts/submit-emr.sh score --dt 2026-11-07)
expect emr8-jar "s3://bucket/rel/glmpipe-jobs-$GLMPIPE_VERSION-spark40_2.13.jar" "$emr8"
dp3=$(GLMPIPE_PLATFORM=dataproc-3 GLMPIPE_DRY_RUN=1 GLMPIPE_GCS_PREFIX=gs://bucket/rel DATAPROC_CLUSTER=c1 DATAPROC_REGION=europe-west1 \
  scripts/submit-dataproc.sh score --dt 2026-11-07)
expect dataproc3-jar "--jars gs://bucket/rel/glmpipe-jobs-$GLMPIPE_VERSION-spark40_2.13.jar" "$dp3"
up3=$(GLMPIPE_PLATFORM=dataproc-serverless-2 GLMPIPE_DRY_RUN=1 GLMPIPE_GCS_PREFIX=gs://bucket/rel scripts/submit-dataproc.sh upload)
expect dataproc-serverless2-upload "gs://bucket/rel/glmpipe-jobs-$GLMPIPE_VERSION-spark35_2.13.jar" "$up3"
if GLMPIPE_PLATFORM=emr-6 GLMPIPE_DRY_RUN=1 GLMPIPE_S3_PREFIX=s3://b/r EMR_CLUSTER_ID=j-ABC scripts/submit-emr.sh score 2>/dev/null; then
  fail unknown-platform "GLMPIPE_PLATFORM=emr-6 exited 0"
else
  pass unknown-platform
fi

if GLMPIPE_DRY_RUN=1 GLMPIPE_S3_PREFIX=s3://b/r scripts/submit-emr.sh score --dt 2026-11-07 2>/dev/null; then
  fail emr-needs-cluster-id "submit-emr.sh without EMR_CLUSTER_ID exited 0"
else
  pass emr-needs-cluster-id
fi

check_summary
