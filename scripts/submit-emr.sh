#!/usr/bin/env bash
# Submits one glmpipe job to a running Amazon EMR cluster as a Spark step, or uploads the
# jar and config first. EMR 7.x takes the default jar (Spark 3.5 / Scala 2.12); for EMR 8.x
# (Spark 4.0 / Scala 2.13) set GLMPIPE_PLATFORM=emr-8 (scripts/lib/common.sh).
#
#   scripts/submit-emr.sh upload                          # jar + conf/*.yaml to $GLMPIPE_S3_PREFIX
#   scripts/submit-emr.sh <job> [job options...]          # e.g. score --dt 2026-11-07
#
# Environment:
#   EMR_CLUSTER_ID      j-XXXXXXXX (required for jobs)
#   GLMPIPE_S3_PREFIX   s3://bucket/glmpipe/release (where the jar and conf/ live)
#   GLMPIPE_CONF        config name under conf/ (default emr.yaml)
#   GLMPIPE_PLATFORM    emr-7 (default jar) or emr-8: picks the jar (or GLMPIPE_BUILD=<build>)
#   GLMPIPE_DRY_RUN=1   print the aws commands instead of running them
# The aws CLI uses your usual credential chain; nothing here stores credentials.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

prefix="${GLMPIPE_S3_PREFIX:?set GLMPIPE_S3_PREFIX, e.g. s3://my-bucket/glmpipe/release}"
conf_name="${GLMPIPE_CONF:-emr.yaml}"
jar_name="$(basename "$GLMPIPE_JAR")"

aws_() {
  if [ "${GLMPIPE_DRY_RUN:-}" = 1 ]; then printf 'aws'; printf ' %q' "$@"; printf '\n'; else aws "$@"; fi
}

[ $# -ge 1 ] || die "usage: $0 upload | <job> [options]"
if [ "$1" = upload ]; then
  [ "${GLMPIPE_DRY_RUN:-}" = 1 ] || build_jar
  aws_ s3 cp "$GLMPIPE_JAR" "$prefix/$jar_name"
  for f in "$GLMPIPE_ROOT"/conf/*.yaml; do aws_ s3 cp "$f" "$prefix/conf/$(basename "$f")"; done
  exit 0
fi

cluster="${EMR_CLUSTER_ID:?set EMR_CLUSTER_ID to the target cluster (j-...)}"
job="$1"; shift
# Cluster deploy mode: the driver runs on the cluster. The step then reports only success or
# failure; the launcher's own exit code (2 usage/config, 3 data contract, 4 model rejected) and
# its one-line error are in the step's stderr log. One YARN attempt: a user error would only
# repeat.
args=(spark-submit --deploy-mode cluster --conf spark.yarn.maxAppAttempts=1 --class dev.glmpipe.jobs.Main
      "$prefix/$jar_name" "$job" --conf "$prefix/conf/$conf_name" "$@")
# JSON-encode the arguments properly: --set values may hold quotes or backslashes.
json=$(python3 -c 'import json, sys; print(json.dumps(sys.argv[1:], separators=(",", ":")))' "${args[@]}")
aws_ emr add-steps --cluster-id "$cluster" \
  --steps "[{\"Type\":\"CUSTOM_JAR\",\"Name\":\"glmpipe $job\",\"ActionOnFailure\":\"CONTINUE\",\"Jar\":\"command-runner.jar\",\"Args\":$json}]"
