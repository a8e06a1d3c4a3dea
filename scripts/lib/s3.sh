# The S3 test setup shared by test-s3.sh and test-faults.sh: Hadoop's S3A connector on the
# job's classpath and a moto S3 server on 127.0.0.1. Source it after common.sh; do not run it.
# shellcheck shell=bash

MOTO_VERSION="5.2.6"
MOTO_VENV="$GLMPIPE_ROOT/.venv/moto"

# Installs moto[server] into .venv/moto (once).
s3_ensure_moto() {
  if ! "$MOTO_VENV/bin/python" -c "import moto, boto3, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
    log "installing moto[server]==$MOTO_VERSION into .venv/moto (once)"
    python3 -m venv "$MOTO_VENV" >&2 || die "python3 -m venv failed (Debian: apt-get install -y python3-venv)"
    "$MOTO_VENV/bin/pip" install -q "moto[server]==$MOTO_VERSION" >&2 || die "pip install moto[server]==$MOTO_VERSION failed"
  fi
}

# Exports GLMPIPE_EXTRA_CLASSPATH with the S3A connector matching the Hadoop client Spark runs
# with, and the AWS SDK version Hadoop's own build pins (both from Maven Central).
s3_connector_classpath() {
  local hadoop repo sdk jar
  hadoop=$(tr ':' '\n' < "$GLMPIPE_ROOT/jobs/target/spark-classpath.txt" | sed -n 's|.*/hadoop-client-api-\(.*\)\.jar$|\1|p' | head -1)
  [ -n "$hadoop" ] || die "no hadoop-client-api on Spark's classpath (jobs/target/spark-classpath.txt)"
  (cd "$GLMPIPE_ROOT" && ./mvnw -B -q dependency:get -Dartifact="org.apache.hadoop:hadoop-aws:$hadoop") >&2 \
    || die "cannot fetch org.apache.hadoop:hadoop-aws:$hadoop"
  repo=$(cd "$GLMPIPE_ROOT" && ./mvnw -B -q help:evaluate -Dexpression=settings.localRepository -DforceStdout)
  sdk=$(sed -n 's|.*<aws-java-sdk.version>\(.*\)</aws-java-sdk.version>.*|\1|p' \
    "$repo/org/apache/hadoop/hadoop-project/$hadoop/hadoop-project-$hadoop.pom" | head -1)
  export GLMPIPE_EXTRA_CLASSPATH="$repo/org/apache/hadoop/hadoop-aws/$hadoop/hadoop-aws-$hadoop.jar:$repo/com/amazonaws/aws-java-sdk-bundle/$sdk/aws-java-sdk-bundle-$sdk.jar"
  for jar in ${GLMPIPE_EXTRA_CLASSPATH//:/ }; do [ -f "$jar" ] || die "missing $jar"; done
}

# Starts moto on a free port of 127.0.0.1 and waits for it: s3_start_moto LOGFILE.
# Sets S3_ENDPOINT and MOTO_PID (the caller stops it: kill "$MOTO_PID"), and exports the test
# credentials the jobs find through the provider chain, as on a real account.
s3_start_moto() {
  local port
  port=$("$MOTO_VENV/bin/python" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
  "$MOTO_VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$1" 2>&1 &
  MOTO_PID=$!
  S3_ENDPOINT="http://127.0.0.1:$port"
  "$MOTO_VENV/bin/python" - "$S3_ENDPOINT" <<'WAIT' || { cat "$1"; die "moto server did not start on $S3_ENDPOINT"; }
import sys, time, urllib.request
for _ in range(100):
    try:
        urllib.request.urlopen(sys.argv[1] + "/moto-api/", timeout=1)
        sys.exit(0)
    except OSError:
        time.sleep(0.2)
sys.exit(1)
WAIT
  export AWS_ACCESS_KEY_ID=glmpipe-test AWS_SECRET_ACCESS_KEY=glmpipe-test AWS_DEFAULT_REGION=us-east-1
}

# A boto3 call against the test server: s3_call "python using client c"
s3_call() {
  "$MOTO_VENV/bin/python" -c "import boto3; c = boto3.client('s3', endpoint_url='$S3_ENDPOINT'); $1"
}

# The --set options that point S3A at the test server (append storage.root yourself).
s3_conf() {
  printf '%s\n' --set "spark.conf.spark.hadoop.fs.s3a.endpoint=$S3_ENDPOINT" \
    --set spark.conf.spark.hadoop.fs.s3a.endpoint.region=us-east-1 \
    --set spark.conf.spark.hadoop.fs.s3a.path.style.access=true \
    --set spark.conf.spark.hadoop.fs.s3a.connection.ssl.enabled=false \
    --set spark.conf.spark.hadoop.fs.s3a.aws.credentials.provider=com.amazonaws.auth.EnvironmentVariableCredentialsProvider
}
