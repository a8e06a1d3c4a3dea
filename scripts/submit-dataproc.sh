#!/usr/bin/env bash
# Submits one glmpipe job to a Google Dataproc cluster, or uploads the jar and config first.
# Dataproc 2.x images take the default jar (Spark 3.5 / Scala 2.12); for 3.0 images (Spark 4.0 /
# Scala 2.13) set GLMPIPE_PLATFORM=dataproc-3. To upload the jar of a Serverless runtime:
# GLMPIPE_PLATFORM=dataproc-serverless-1|2|3 (1.2: Scala 2.12; 2.2/2.3: Scala 2.13; 3.0: Spark 4.0).
#
#   scripts/submit-dataproc.sh upload                     # jar + conf/*.yaml to $GLMPIPE_GCS_PREFIX
#   scripts/submit-dataproc.sh <job> [job options...]     # e.g. score --dt 2026-11-07
#
# Environment:
#   DATAPROC_CLUSTER, DATAPROC_REGION   target cluster (required for jobs)
#   GLMPIPE_GCS_PREFIX  gs://bucket/glmpipe/release (where the jar and conf/ live)
#   GLMPIPE_CONF        config name under conf/ (default dataproc.yaml)
#   GLMPIPE_PLATFORM    dataproc-2 (default jar), dataproc-3, dataproc-serverless-1|2|3: picks the jar
#   GLMPIPE_DRY_RUN=1   print the gcloud commands instead of running them
# gcloud uses your usual credentials; nothing here stores credentials.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

prefix="${GLMPIPE_GCS_PREFIX:?set GLMPIPE_GCS_PREFIX, e.g. gs://my-bucket/glmpipe/release}"
conf_name="${GLMPIPE_CONF:-dataproc.yaml}"
jar_name="$(basename "$GLMPIPE_JAR")"

gcloud_() {
  if [ "${GLMPIPE_DRY_RUN:-}" = 1 ]; then printf 'gcloud'; printf ' %q' "$@"; printf '\n'; else gcloud "$@"; fi
}

[ $# -ge 1 ] || die "usage: $0 upload | <job> [options]"
if [ "$1" = upload ]; then
  [ "${GLMPIPE_DRY_RUN:-}" = 1 ] || build_jar
  gcloud_ storage cp "$GLMPIPE_JAR" "$prefix/$jar_name"
  for f in "$GLMPIPE_ROOT"/conf/*.yaml; do gcloud_ storage cp "$f" "$prefix/conf/$(basename "$f")"; done
  exit 0
fi

cluster="${DATAPROC_CLUSTER:?set DATAPROC_CLUSTER}"
region="${DATAPROC_REGION:?set DATAPROC_REGION}"
job="$1"; shift
# gcloud waits for the job and exits non-zero when the driver does; the driver's own exit code
# (2 usage/config, 3 data contract, 4 model rejected) is in the job's driver output.
gcloud_ dataproc jobs submit spark --cluster "$cluster" --region "$region" \
  --class dev.glmpipe.jobs.Main --jars "$prefix/$jar_name" \
  -- "$job" --conf "$prefix/conf/$conf_name" "$@"
