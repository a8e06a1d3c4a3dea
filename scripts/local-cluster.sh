#!/usr/bin/env bash
# A Spark standalone cluster on this machine: one master and two workers, all bound to
# 127.0.0.1, run from the launchers of the pyspark pip package (the same Spark version the
# jar is built against), so no Spark install is needed.
#
#   scripts/local-cluster.sh start    start master + workers, wait until every worker registered
#   scripts/local-cluster.sh stop     stop exactly the processes 'start' recorded
#   scripts/local-cluster.sh status   show what runs; exit 0 only if the whole cluster is up
#
# Once started, out/cluster/master-url holds the URL for spark-submit --master.
# Overrides (environment):
#   GLMPIPE_CLUSTER_DIR        state dir: pid files, logs, worker dirs    (out/cluster)
#   GLMPIPE_MASTER_PORT        master RPC port                            (17077)
#   GLMPIPE_MASTER_UI_PORT     master web UI port, serves /json/          (18080)
#   GLMPIPE_WORKER_UI_PORT     first worker's web UI port, then +1 each    (18081)
#   GLMPIPE_WORKERS            number of workers                          (2)
#   GLMPIPE_WORKER_CORES       cores each worker offers                   (1)
#   GLMPIPE_WORKER_MEMORY      memory each worker offers to executors     (1g)
#   GLMPIPE_CLUSTER_TIMEOUT    seconds to wait for the cluster to be up   (90)
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

STATE_DIR="${GLMPIPE_CLUSTER_DIR:-$GLMPIPE_ROOT/out/cluster}"
# Ports well away from Spark's defaults (7077/8080/8081), which a developer's own Spark may hold.
MASTER_PORT="${GLMPIPE_MASTER_PORT:-17077}"
MASTER_UI_PORT="${GLMPIPE_MASTER_UI_PORT:-18080}"
WORKER_UI_PORT="${GLMPIPE_WORKER_UI_PORT:-18081}"
WORKERS="${GLMPIPE_WORKERS:-2}"
WORKER_CORES="${GLMPIPE_WORKER_CORES:-1}"
WORKER_MEMORY="${GLMPIPE_WORKER_MEMORY:-1g}"
START_TIMEOUT="${GLMPIPE_CLUSTER_TIMEOUT:-90}"

HOST=127.0.0.1
MASTER_CLASS=org.apache.spark.deploy.master.Master
WORKER_CLASS=org.apache.spark.deploy.worker.Worker
MASTER_JSON_URL="http://$HOST:$MASTER_UI_PORT/json/"

usage() {
  sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}" >&2
  exit 2
}

# Prints the master's /json/ document, or fails if it does not answer.
# The proxy handler is emptied so a proxy set in the environment never sees loopback traffic.
master_json() {
  python3 - "$MASTER_JSON_URL" <<'PY'
import sys, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
with opener.open(sys.argv[1], timeout=5) as r:
    sys.stdout.write(r.read().decode())
PY
}

# Reads one field of the master's /json/ from stdin.
json_field() {
  python3 -c 'import json, sys; print(json.load(sys.stdin).get(sys.argv[1], ""))' "$1"
}

# True when something already accepts connections on 127.0.0.1:$1.
port_in_use() {
  (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

# True when the PID in file $1 is alive and is the Spark daemon class $2 (guards against a
# stale pid file whose number the OS has since given to some other process). Right after start
# the process is still bash or in the middle of exec'ing java, when /proc/PID/cmdline can read
# empty for a moment: a live PID whose command line does not match yet is read again.
is_ours() {
  local pidfile=$1 class=$2 pid cmdline tries
  [ -s "$pidfile" ] || return 1
  pid=$(<"$pidfile")
  for ((tries = 0; tries < 10; tries++)); do
    kill -0 "$pid" 2>/dev/null || return 1
    cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || cmdline=""
    [[ "$cmdline" == *"$class"* ]] && return 0
    sleep 0.2
  done
  return 1
}

pidfiles() {
  local i
  echo "$STATE_DIR/master.pid $MASTER_CLASS"
  for ((i = 1; i <= WORKERS; i++)); do echo "$STATE_DIR/worker-$i.pid $WORKER_CLASS"; done
}

# Starts one daemon in the background, its output in $STATE_DIR/<name>.log, its PID in
# $STATE_DIR/<name>.pid. spark-class ends with 'exec java ...', so $! is the JVM itself.
start_daemon() {
  local name=$1; shift
  nohup "$SPARK_HOME/bin/spark-class" "$@" >"$STATE_DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$STATE_DIR/$name.pid"
}

cmd_start() {
  require_java17
  SPARK_HOME="$(ensure_pyspark)"
  export SPARK_HOME

  if [ -s "$STATE_DIR/master.pid" ] && is_ours "$STATE_DIR/master.pid" "$MASTER_CLASS"; then
    die "a cluster started from $STATE_DIR is already running (scripts/local-cluster.sh stop first)"
  fi
  # Spark silently moves to the next port when one is taken; then the master URL we hand out
  # would be wrong. Fail early and say which variable picks another port.
  port_in_use "$MASTER_PORT" && die "port $MASTER_PORT is in use: set GLMPIPE_MASTER_PORT to a free port"
  port_in_use "$MASTER_UI_PORT" && die "port $MASTER_UI_PORT is in use: set GLMPIPE_MASTER_UI_PORT to a free port"

  # Clear what an earlier run left, naming each thing: the state dir may be one a user chose.
  rm -rf "$STATE_DIR"/conf "$STATE_DIR"/worker-[0-9]*
  rm -f "$STATE_DIR"/*.pid "$STATE_DIR"/*.log "$STATE_DIR"/master-url "$STATE_DIR"/master-json-url
  mkdir -p "$STATE_DIR/conf"

  # Everything binds to loopback: SPARK_LOCAL_IP is the address the daemons and their web UIs
  # bind to, SPARK_PUBLIC_DNS the one the UIs advertise. An empty SPARK_CONF_DIR keeps any
  # spark-defaults.conf or spark-env.sh of this machine out of the test.
  export SPARK_LOCAL_IP=$HOST SPARK_MASTER_HOST=$HOST SPARK_PUBLIC_DNS=$HOST
  export SPARK_CONF_DIR="$STATE_DIR/conf" SPARK_LOG_DIR="$STATE_DIR"
  export SPARK_DAEMON_MEMORY="${SPARK_DAEMON_MEMORY:-512m}"
  # No retry onto a neighbouring port: a clash must fail, not move the master elsewhere.
  export SPARK_MASTER_OPTS="-Dspark.port.maxRetries=0"

  log "starting Spark $SPARK_VERSION master at spark://$HOST:$MASTER_PORT (UI $MASTER_JSON_URL)"
  start_daemon master "$MASTER_CLASS" --host "$HOST" --port "$MASTER_PORT" --webui-port "$MASTER_UI_PORT"

  local i
  for ((i = 1; i <= WORKERS; i++)); do
    mkdir -p "$STATE_DIR/worker-$i"
    log "starting worker $i ($WORKER_CORES core, $WORKER_MEMORY)"
    # The worker RPC port is left to the OS (0); executors get their directories under --work-dir,
    # not inside the pyspark package.
    start_daemon "worker-$i" "$WORKER_CLASS" --host "$HOST" --port 0 \
      --webui-port "$((WORKER_UI_PORT + i - 1))" \
      --cores "$WORKER_CORES" --memory "$WORKER_MEMORY" \
      --work-dir "$STATE_DIR/worker-$i" "spark://$HOST:$MASTER_PORT"
  done

  # Ready means the master answers on /json/ and lists every worker as ALIVE.
  local deadline=$((SECONDS + START_TIMEOUT)) alive=0 doc pidfile class
  while :; do
    while read -r pidfile class; do
      if ! is_ours "$pidfile" "$class"; then
        local name; name=$(basename "$pidfile" .pid)
        log "$name exited during start-up; last lines of $STATE_DIR/$name.log:"
        tail -n 30 "$STATE_DIR/$name.log" >&2 || true
        cmd_stop
        die "the cluster did not start"
      fi
    done < <(pidfiles)
    if doc=$(master_json 2>/dev/null); then
      alive=$(json_field aliveworkers <<<"$doc")
      [ "${alive:-0}" -ge "$WORKERS" ] && break
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "timed out after ${START_TIMEOUT}s waiting for $WORKERS workers at $MASTER_JSON_URL (alive: ${alive:-0})"
      log "logs: $STATE_DIR/*.log; last lines of master.log:"
      tail -n 30 "$STATE_DIR/master.log" >&2 || true
      cmd_stop
      die "the cluster did not start"
    fi
    sleep 1
  done

  # The URL as the master itself reports it: the one spark-submit must use.
  json_field url <<<"$doc" >"$STATE_DIR/master-url"
  echo "$MASTER_JSON_URL" >"$STATE_DIR/master-json-url"
  log "cluster up: $(<"$STATE_DIR/master-url") with $alive workers (started in ${SECONDS}s)"
  cat "$STATE_DIR/master-url"
}

cmd_stop() {
  local pidfile class pid waited
  local -a pids=()
  # Only PIDs this script recorded, and only while they still run the Spark daemon class.
  # SIGTERM lets each JVM run its shutdown hooks: a worker's hook kills its executors.
  while read -r pidfile class; do
    if is_ours "$pidfile" "$class"; then
      pid=$(<"$pidfile")
      kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
    fi
  done < <(pidfiles)
  for ((waited = 0; waited < 30; waited++)); do
    local -a alive=()
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
    [ "${#alive[@]}" -eq 0 ] && break
    sleep 0.5
  done
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      log "pid $pid ignored SIGTERM for 15s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  while read -r pidfile class; do rm -f "$pidfile"; done < <(pidfiles)
  rm -f "$STATE_DIR/master-url" "$STATE_DIR/master-json-url"
  log "stopped ${#pids[@]} Spark daemon(s) started from $STATE_DIR"
}

cmd_status() {
  local pidfile class up=0 total=0 doc
  while read -r pidfile class; do
    total=$((total + 1))
    if is_ours "$pidfile" "$class"; then
      up=$((up + 1))
      echo "$(basename "$pidfile" .pid): running (pid $(<"$pidfile"))"
    else
      echo "$(basename "$pidfile" .pid): not running"
    fi
  done < <(pidfiles)
  if doc=$(master_json 2>/dev/null); then
    echo "master: $(json_field url <<<"$doc") status $(json_field status <<<"$doc"), alive workers $(json_field aliveworkers <<<"$doc"), UI $MASTER_JSON_URL"
  else
    echo "master: no answer at $MASTER_JSON_URL"
  fi
  [ "$up" -eq "$total" ]
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) usage ;;
esac
