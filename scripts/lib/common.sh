# Shared helpers for glmpipe's scripts. Source it; do not run it.
# shellcheck shell=bash

GLMPIPE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
GLMPIPE_VERSION="0.1.0-SNAPSHOT"

# The build a platform takes (README: "Which jar each platform takes"):
#   platform_build emr-7|emr-8|emr-serverless-7|emr-serverless-8|dataproc-2|dataproc-3|dataproc-serverless-1|dataproc-serverless-2|dataproc-serverless-3
platform_build() {
  case "$1" in
    emr-7|emr-serverless-7|dataproc-2|dataproc-serverless-1) echo spark35_2.12 ;;
    dataproc-serverless-2) echo spark35_2.13 ;;
    emr-8|emr-serverless-8|dataproc-3|dataproc-serverless-3) echo spark40_2.13 ;;
    *) return 1 ;;
  esac
}

# Which build the scripts use: GLMPIPE_BUILD, one of the shaded jars' classifiers.
#   spark35_2.12  Spark 3.5 / Scala 2.12 (default): EMR 7.x, EMR Serverless 7.x, Dataproc 2.x clusters
#   spark35_2.13  Spark 3.5 / Scala 2.13: Dataproc Serverless 2.2 and 2.3
#   spark40_2.13  Spark 4.0 / Scala 2.13: EMR 8.x, EMR Serverless 8.x, Dataproc 3.0 (clusters and serverless)
#   spark42_2.13  the newest Spark 4 on Maven Central (4.2): tested, no platform runs it yet
# GLMPIPE_PLATFORM (one of platform_build's names) picks it too; the two must agree.
if [ -n "${GLMPIPE_PLATFORM:-}" ]; then
  _platform_build="$(platform_build "$GLMPIPE_PLATFORM")" || {
    printf '[glmpipe] error: GLMPIPE_PLATFORM=%s: not a platform (emr-7, emr-8, emr-serverless-7, emr-serverless-8, dataproc-2, dataproc-3, dataproc-serverless-1, dataproc-serverless-2, dataproc-serverless-3)\n' "$GLMPIPE_PLATFORM" >&2
    exit 2
  }
  if [ -n "${GLMPIPE_BUILD:-}" ] && [ "$GLMPIPE_BUILD" != "$_platform_build" ]; then
    printf '[glmpipe] error: GLMPIPE_BUILD=%s, but GLMPIPE_PLATFORM=%s takes %s\n' "$GLMPIPE_BUILD" "$GLMPIPE_PLATFORM" "$_platform_build" >&2
    exit 2
  fi
  GLMPIPE_BUILD="$_platform_build"
fi
GLMPIPE_BUILD="${GLMPIPE_BUILD:-spark35_2.12}"
case "$GLMPIPE_BUILD" in
  spark35_2.12) GLMPIPE_PROFILE="";                 SPARK_VERSION="3.5.9" ;;
  spark35_2.13) GLMPIPE_PROFILE="spark35-scala213"; SPARK_VERSION="3.5.6" ;;
  spark40_2.13) GLMPIPE_PROFILE="spark40";          SPARK_VERSION="4.0.1" ;;
  spark42_2.13) GLMPIPE_PROFILE="spark4-latest";    SPARK_VERSION="4.2.0" ;;
  *) printf '[glmpipe] error: GLMPIPE_BUILD=%s: not a build (spark35_2.12, spark35_2.13, spark40_2.13, spark42_2.13)\n' "$GLMPIPE_BUILD" >&2; exit 2 ;;
esac
GLMPIPE_JAR="$GLMPIPE_ROOT/jobs/target/glmpipe-jobs-$GLMPIPE_VERSION-$GLMPIPE_BUILD.jar"
# Maven's arguments for this build: the profile, if any (./mvnw $(maven_profile_args) ...).
maven_profile_args() { [ -n "$GLMPIPE_PROFILE" ] && printf -- '-P %s\n' "$GLMPIPE_PROFILE"; return 0; }


log() { printf '[glmpipe] %s\n' "$*" >&2; }
die() { printf '[glmpipe] error: %s\n' "$*" >&2; exit 1; }

# The first value of a key in a job's one-line JSON result, without quotes (no jq needed):
#   result_field "$result" key
result_field() { grep -o "\"$2\":\"\{0,1\}[^\",}]*" <<<"$1" | head -n 1 | sed 's/^"[^"]*":"\{0,1\}//'; }

# Counting a test harness's checks, the same way in every harness: one line per check on
# stdout, then one summary line that CI readers look for.
#   check_start              resets the counts (sourcing this file starts them at 0)
#   pass NAME                prints 'PASS  NAME'
#   fail NAME [WHY]          prints 'FAIL  NAME: WHY'
#   check NAME COMMAND...    runs COMMAND, its output hidden: pass NAME if it succeeds, else fail
#   check_summary            prints 'N passed, M failed'; returns non-zero if M > 0
CHECKS_PASSED=0
CHECKS_FAILED=0
check_start() { CHECKS_PASSED=0; CHECKS_FAILED=0; }
pass() { CHECKS_PASSED=$((CHECKS_PASSED + 1)); printf 'PASS  %s\n' "$1"; }
fail() { CHECKS_FAILED=$((CHECKS_FAILED + 1)); printf 'FAIL  %s%s\n' "$1" "${2:+: $2}"; }
check() {
  local name=$1; shift
  if "$@" >/dev/null 2>&1; then pass "$name"; else fail "$name"; fi
}
check_summary() {
  echo "$CHECKS_PASSED passed, $CHECKS_FAILED failed"
  [ "$CHECKS_FAILED" -eq 0 ]
}

# Java 17 is the one thing a machine must already have.
require_java17() {
  command -v java >/dev/null 2>&1 || die "java not found: install a Java 17 JDK (Debian: apt-get install -y openjdk-17-jdk-headless)"
  local v
  v=$(java -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')
  case "$v" in
    17*|1[89]*|2[0-9]*) ;;
    *) die "Java 17 or newer is required, found '$v'" ;;
  esac
}

# Builds this build's shaded jar once; later calls reuse it unless sources are newer.
build_jar() {
  require_java17
  if [ -f "$GLMPIPE_JAR" ] && [ -s "$(spark_classpath_file)" ] && [ -z "$(find "$GLMPIPE_ROOT/common/src/main" "$GLMPIPE_ROOT/jobs/src/main" "$GLMPIPE_ROOT"/pom.xml "$GLMPIPE_ROOT"/*/pom.xml -newer "$GLMPIPE_JAR" -print -quit)" ]; then
    return 0
  fi
  log "building the shaded jar $GLMPIPE_BUILD (first run downloads Maven and the dependencies)"
  # shellcheck disable=SC2046
  (cd "$GLMPIPE_ROOT" && ./mvnw -B -q $(maven_profile_args) -DskipTests package) || die "build failed"
}

# The classpath Spark itself needs when we run without a Spark install: the jobs module's
# 'provided' dependencies, listed by the build next to the jar (one list per build).
spark_classpath_file() { echo "$GLMPIPE_ROOT/jobs/target/spark-classpath-$GLMPIPE_BUILD.txt"; }
spark_classpath() {
  local cpfile
  cpfile="$(spark_classpath_file)"
  # shellcheck disable=SC2046
  [ -s "$cpfile" ] || die "missing $cpfile: run ./mvnw $(maven_profile_args) -DskipTests package"
  cat "$cpfile"
}

# JVM flags Spark's own launcher adds on Java 17 (org.apache.spark.launcher.JavaModuleOptions).
SPARK_JAVA17_OPENS=(
  -XX:+IgnoreUnrecognizedVMOptions
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  --add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  -Djdk.reflect.useDirectMethodHandle=false
)

# The venv ensure_pyspark installs pyspark into (its bin/python runs PySpark).
pyspark_venv() {
  # Another build's launcher is another pyspark: one venv per Spark version. (pyspark bundles
  # Spark's Scala 2.12 jars up to 3.5 and 2.13 from 4.0: spark35_2.13 has no launcher here.)
  if [ "$GLMPIPE_BUILD" = spark35_2.12 ]; then echo "$GLMPIPE_ROOT/.venv/spark"; else echo "$GLMPIPE_ROOT/.venv/spark-$SPARK_VERSION"; fi
}

# A Python venv with the pyspark package of our Spark version: its bin/ holds
# spark-submit and the standalone master/worker launchers, so no Spark install is needed.
# Prints the SPARK_HOME to use.
ensure_pyspark() {
  local venv
  venv="$(pyspark_venv)"
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import pyspark, sys; sys.exit(pyspark.__version__ != '$SPARK_VERSION')" 2>/dev/null; then
    log "installing pyspark==$SPARK_VERSION into ${venv#"$GLMPIPE_ROOT/"} (about 320 MB, once)"
    python3 -m venv "$venv" >&2 || die "python3 -m venv failed (Debian: apt-get install -y python3-venv)"
    "$venv/bin/pip" install -q "pyspark==$SPARK_VERSION" >&2 || die "pip install pyspark==$SPARK_VERSION failed"
  fi
  "$venv/bin/python" -c "import os, pyspark; print(os.path.dirname(pyspark.__file__))"
}

# Installs Debian packages whose command is missing, the way scripts/test.sh installs chromium:
# apt-get as root (CI runs as a root without sudo), through sudo otherwise. Fails loudly with
# the command to run when neither works.
#   install_debian_packages COMMAND:PACKAGE...   e.g. prometheus:prometheus
install_debian_packages() {
  local pair missing=()
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  local sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "missing ${missing[*]}: run as root: apt-get update && apt-get install -y ${missing[*]}"
    sudo_cmd="sudo"
  fi
  log "installing ${missing[*]} (Debian packages)"
  $sudo_cmd apt-get update >&2 && $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >&2 \
    || die "could not install ${missing[*]}: apt-get install -y ${missing[*]}"
}

# A TCP port free on 127.0.0.1 right now.
free_port() { python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"; }

# Waits until URL answers 200 (up to SECONDS, default 30): wait_http URL [SECONDS]
wait_http() {
  python3 - "$1" "${2:-30}" <<'WAIT'
import sys, time, urllib.request
deadline = time.time() + float(sys.argv[2])
while time.time() < deadline:
    try:
        with urllib.request.urlopen(sys.argv[1], timeout=1) as r:
            if r.status == 200:
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.2)
sys.exit(1)
WAIT
}

# Waits until HOST:PORT accepts a TCP connection (up to SECONDS, default 30): wait_tcp HOST PORT [SECONDS]
wait_tcp() {
  python3 - "$1" "$2" "${3:-30}" <<'WAIT'
import socket, sys, time
deadline = time.time() + float(sys.argv[3])
while time.time() < deadline:
    try:
        socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.2)
sys.exit(1)
WAIT
}
