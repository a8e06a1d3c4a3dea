# The S3-protocol test server and Hadoop's S3A connector, shared by test-s3.sh and
# test-s3-faults.sh. Source it after common.sh; do not run it.
# shellcheck shell=bash

MOTO_VERSION="5.2.6"
PYICEBERG_VERSION="0.12.0"  # the Iceberg reader of test-s3.sh and test.sh
MOTO_VENV="$GLMPIPE_ROOT/.venv/moto"

# moto in server mode (and any extra pip requirements, e.g. duckdb==1.5.6) in .venv/moto.
#   ensure_moto [REQUIREMENT...]
ensure_moto() {
  local req name
  if ! "$MOTO_VENV/bin/python" -c "import moto, boto3, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
    log "installing moto[server]==$MOTO_VERSION into .venv/moto (once)"
    python3 -m venv "$MOTO_VENV" >&2 || die "python3 -m venv failed (Debian: apt-get install -y python3-venv)"
    "$MOTO_VENV/bin/pip" install -q "moto[server]==$MOTO_VERSION" >&2 || die "pip install moto[server]==$MOTO_VERSION failed"
  fi
  for req in "$@"; do
    name=${req%%==*}
    if ! "$MOTO_VENV/bin/pip" show -q "${name%%\[*}" >/dev/null 2>&1; then
      log "installing $req into .venv/moto (once)"
      "$MOTO_VENV/bin/pip" install -q "$req" >&2 || die "pip install $req failed"
    fi
  done
}

# Exports GLMPIPE_EXTRA_CLASSPATH: hadoop-aws of the Hadoop client Spark runs with, and the AWS
# SDK bundle that Hadoop's own build pins (fetched from Maven Central once).
use_s3a_connector() {
  local hadoop repo sdk jar
  hadoop=$(tr ':' '\n' < "$(spark_classpath_file)" | sed -n 's|.*/hadoop-client-api-\(.*\)\.jar$|\1|p' | head -1)
  [ -n "$hadoop" ] || die "no hadoop-client-api on Spark's classpath ($(spark_classpath_file))"
  (cd "$GLMPIPE_ROOT" && ./mvnw -B -q dependency:get -Dartifact="org.apache.hadoop:hadoop-aws:$hadoop" >&2) \
    || die "cannot fetch org.apache.hadoop:hadoop-aws:$hadoop"
  repo=$(cd "$GLMPIPE_ROOT" && ./mvnw -B -q help:evaluate -Dexpression=settings.localRepository -DforceStdout)
  sdk=$(sed -n 's|.*<aws-java-sdk.version>\(.*\)</aws-java-sdk.version>.*|\1|p' \
    "$repo/org/apache/hadoop/hadoop-project/$hadoop/hadoop-project-$hadoop.pom" | head -1)
  export GLMPIPE_EXTRA_CLASSPATH="$repo/org/apache/hadoop/hadoop-aws/$hadoop/hadoop-aws-$hadoop.jar:$repo/com/amazonaws/aws-java-sdk-bundle/$sdk/aws-java-sdk-bundle-$sdk.jar"
  for jar in ${GLMPIPE_EXTRA_CLASSPATH//:/ }; do [ -f "$jar" ] || die "missing $jar"; done
}

# Starts moto in server mode on a free port of 127.0.0.1 and waits for it; sets MOTO_PID and
# MOTO_ENDPOINT. The caller stops it (kill "$MOTO_PID").
#   start_moto LOGFILE
start_moto() {
  local port
  port=$(free_port)
  "$MOTO_VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$1" 2>&1 &
  MOTO_PID=$!
  MOTO_ENDPOINT="http://127.0.0.1:$port"
  wait_http "$MOTO_ENDPOINT/moto-api/" 20 || { cat "$1"; die "moto server did not start on $MOTO_ENDPOINT"; }
}

# The config that puts every table under an s3a:// root on the test server at ENDPOINT (raw
# input included: conf/local.yaml points raw at the committed sample data). Sets S3_CONF.
#   s3_conf ENDPOINT ROOT
s3_conf() {
  S3_CONF=(--conf conf/local.yaml --set "storage.root=$2" --set storage.tables.raw=raw
    --set "spark.conf.spark.hadoop.fs.s3a.endpoint=$1"
    --set spark.conf.spark.hadoop.fs.s3a.endpoint.region=us-east-1
    --set spark.conf.spark.hadoop.fs.s3a.path.style.access=true
    --set spark.conf.spark.hadoop.fs.s3a.connection.ssl.enabled=false
    --set spark.conf.spark.hadoop.fs.s3a.aws.credentials.provider=com.amazonaws.auth.EnvironmentVariableCredentialsProvider
    --set datagen.rows_per_day=1500)
}
