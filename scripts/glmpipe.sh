#!/usr/bin/env bash
# Runs one glmpipe job on this machine with Spark in local mode, no Spark install needed:
# the same launcher (dev.glmpipe.jobs.Main) and shaded jar spark-submit runs, with Spark's
# own jars taken from the Maven build.
#
#   scripts/glmpipe.sh <job> --conf conf/local.yaml [--dt YYYY-MM-DD | --from D --to D] [--set k=v]
#
# Result JSON on stdout, logs on stderr, exit code as documented in README.md.
# GLMPIPE_EXTRA_CLASSPATH adds jars, e.g. Hadoop's S3A connector to reach s3a:// from here.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

build_jar
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
cp="$GLMPIPE_JAR:$(spark_classpath)${GLMPIPE_EXTRA_CLASSPATH:+:$GLMPIPE_EXTRA_CLASSPATH}"
exec java ${GLMPIPE_JAVA_OPTS:--Xmx3g} "${SPARK_JAVA17_OPENS[@]}" \
  -Dlog4j2.configurationFile="$GLMPIPE_ROOT/conf/log4j2.properties" \
  -cp "$cp" dev.glmpipe.jobs.Main "$@"
