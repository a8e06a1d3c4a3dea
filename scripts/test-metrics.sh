#!/usr/bin/env bash
# Run metrics end to end on real components: a Prometheus Pushgateway and a Prometheus (Debian
# packages `prometheus-pushgateway` and `prometheus`, installed when missing) on 127.0.0.1,
# Prometheus scraping the gateway every second with honor_labels: true.
#   datagen (with a label feed) → preprocess → train → evaluate → export → score → monitor →
#   monitor --realized, each pushing to the gateway (metrics.pushgateway); then a score run that
#   fails (no features partition): non-zero exit, a one-line result with status "failed", a
#   runs-table record with status failed, and score's last-success timestamp left alone;
#   finally every query of dashboards/glmpipe.json must return data (scripts/check-dashboard.py).
# GLMPIPE_KEEP=1 keeps the work directory (logs, storage, Prometheus data) for a look afterwards.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$GLMPIPE_ROOT"
require_java17
install_debian_packages prometheus:prometheus prometheus-pushgateway:prometheus-pushgateway
build_jar

work=$(mktemp -d)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "${GLMPIPE_KEEP:-}" ]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

gateway_port=$(free_port)
gateway="http://127.0.0.1:$gateway_port"
# Debian's build persists to /var/lib/prometheus/pushgateway.data by default: a test's gateway
# would start with whatever an earlier one held.
prometheus-pushgateway --web.listen-address="127.0.0.1:$gateway_port" \
  --persistence.file="$work/pushgateway.data" >"$work/pushgateway.log" 2>&1 &
pids+=($!)

prometheus_port=$(free_port)
prometheus="http://127.0.0.1:$prometheus_port"
cat >"$work/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: pushgateway
    honor_labels: true
    static_configs:
      - targets: ['127.0.0.1:$gateway_port']
EOF
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prometheus-data" \
  --web.listen-address="127.0.0.1:$prometheus_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)

wait_http "$gateway/-/ready" 30 || { tail -5 "$work/pushgateway.log"; die "the Pushgateway did not start on $gateway"; }
wait_http "$prometheus/-/ready" 60 || { tail -5 "$work/prometheus.log"; die "Prometheus did not start on $prometheus"; }
log "Pushgateway on $gateway, Prometheus on $prometheus"

storage="$work/storage"
conf=(--conf conf/local.yaml --set "storage.root=$storage" --set storage.tables.raw=raw
  --set datagen.rows_per_day=1000 --set "datagen.labels={delay_days: 1}"
  --set evaluate.bootstrap.replicates=0 --set export.onnx=false
  --set "metrics.pushgateway=$gateway")

# gateway_value JOB METRIC: the value the gateway holds for METRIC in group job=JOB, model=churn
# (empty if none), read from its API, so no scrape delay is involved.
gateway_value() {
  curl -fsS "$gateway/api/v1/metrics" | python3 -c '
import json, sys
job, metric = sys.argv[1], sys.argv[2]
for group in json.load(sys.stdin)["data"]:
    if group["labels"].get("job") == job and group["labels"].get("model") == "churn" and metric in group:
        print(group[metric]["metrics"][0]["value"])
        break' "$1" "$2"
}

# run_record RUN_ID: "status exit_code" of the runs-table record whose run_id is RUN_ID.
run_record() {
  python3 - "$storage/runs" "$1" <<'PY'
import glob, json, os, sys
root, run_id = sys.argv[1], sys.argv[2]
for path in glob.glob(os.path.join(root, "dt=*", "job=*", "*.json")):
    with open(path, encoding="utf-8") as f:
        r = json.load(f)
    if r.get("run_id") == run_id:
        print(r.get("status"), r.get("exit_code"))
        break
PY
}

# json_field JSON KEY: a top-level field of a job's one-line result (lists: their length;
# empty if the result is not a JSON object or has no such field).
json_field() {
  python3 -c '
import json, sys
try:
    v = json.loads(sys.argv[1]).get(sys.argv[2])
except (ValueError, AttributeError):
    v = None
print(len(v) if isinstance(v, list) else ("" if v is None else v))' "$1" "$2"
}

check_start
# Train on two days, score the third; its labels arrive the day after (delay 1), so monitor
# --realized on the fourth day measures the third's realized AUC.
days=(2026-11-01 2026-11-02 2026-11-03 2026-11-04)
run_ids=()
for step in "datagen --from ${days[0]} --to ${days[2]}" "preprocess --from ${days[0]} --to ${days[2]}" \
    "train --from ${days[0]} --to ${days[1]}" "evaluate" "export" "score --dt ${days[2]}" \
    "monitor --dt ${days[2]}" "monitor --dt ${days[3]} --realized"; do
  read -r -a args <<<"$step"
  name="${args[0]}"
  case "$step" in *--realized) name="$name-realized" ;; esac
  if result=$(scripts/glmpipe.sh "${args[@]}" "${conf[@]}" 2>"$work/$name.log"); then
    pass "$step exits 0"
    echo "$result" >"$work/$name.json"
    run_ids+=("$(json_field "$result" run_id)")
  else
    fail "$step exits 0" "it failed; the end of its log ($work/$name.log):"
    tail -5 "$work/$name.log"
  fi
done
realized=$(json_field "$(cat "$work/monitor-realized.json" 2>/dev/null || echo '{}')" realized)
if [ "${realized:-0}" -gt 0 ]; then
  pass "monitor --realized measured realized performance of ${days[2]} from the label feed"
else
  fail "monitor --realized measured realized performance" "no 'realized' entries in its result"
fi
missing=()
for id in "${run_ids[@]}"; do
  [ "$(run_record "$id")" = "succeeded 0" ] || missing+=("$id")
done
if [ "${#run_ids[@]}" -eq 8 ] && [ "${#missing[@]}" -eq 0 ]; then
  pass "every successful run left a runs-table record with status succeeded"
else
  fail "every successful run left a runs-table record with status succeeded" "not for: ${missing[*]:-(runs failed)}"
fi
for job in datagen preprocess train evaluate export score monitor monitor_realized; do
  if [ -n "$(gateway_value "$job" glmpipe_last_success_timestamp_seconds)" ]; then
    pass "$job pushed its last-success timestamp (job=\"$job\", model=\"churn\")"
  else
    fail "$job pushed its last-success timestamp (job=\"$job\", model=\"churn\")"
  fi
done

# A run that fails: score of a date without a features partition.
success_before=$(gateway_value score glmpipe_last_success_timestamp_seconds)
failed_id="metrics-test-score-missing"
set +e
result=$(scripts/glmpipe.sh score --dt 2026-11-20 --run-id "$failed_id" "${conf[@]}" 2>"$work/score-failed.log")
code=$?
set -e
echo "$result" >"$work/score-failed.json"
if [ "$code" -ne 0 ]; then pass "score of a date without features exits non-zero ($code)"; else fail "score of a date without features exits non-zero" "it exited 0"; fi
if [ "$(wc -l <<<"$result")" -eq 1 ] && [ "$(json_field "$result" status 2>/dev/null)" = failed ] \
    && [ "$(json_field "$result" run_id 2>/dev/null)" = "$failed_id" ]; then
  pass "the failed score run printed a one-line JSON result with status \"failed\""
else
  fail "the failed score run printed a one-line JSON result with status \"failed\"" "got: $result"
fi
record=$(run_record "$failed_id")
if [ "$record" = "failed $code" ]; then
  pass "the failed score run left a runs-table record with status failed and exit code $code"
else
  fail "the failed score run left a runs-table record with status failed and exit code $code" "record: '${record:-none}'"
fi
if [ "$(gateway_value score glmpipe_run_exit_code)" = "$code" ]; then
  pass "the failed score run pushed glmpipe_run_exit_code $code"
else
  fail "the failed score run pushed glmpipe_run_exit_code $code" "the gateway has '$(gateway_value score glmpipe_run_exit_code)'"
fi
success_after=$(gateway_value score glmpipe_last_success_timestamp_seconds)
if [ -n "$success_before" ] && [ "$success_after" = "$success_before" ]; then
  pass "the failed score run left glmpipe_last_success_timestamp_seconds{job=\"score\"} at $success_before"
else
  fail "the failed score run left score's last-success timestamp alone" "before '$success_before', after '$success_after'"
fi

# Prometheus has scraped once it sees the failed run's exit code under the pushed labels
# (honor_labels: job="score", not job="pushgateway").
if python3 - "$prometheus" "$code" <<'PY'
import json, sys, time, urllib.parse, urllib.request
url = sys.argv[1] + "/api/v1/query?" + urllib.parse.urlencode(
    {"query": 'glmpipe_run_exit_code{job="score", model="churn"}'})
deadline = time.time() + 60
while time.time() < deadline:
    with urllib.request.urlopen(url, timeout=5) as r:
        result = json.load(r)["data"]["result"]
    if result and result[0]["value"][1] == sys.argv[2]:
        sys.exit(0)
    time.sleep(0.5)
sys.exit(1)
PY
then
  pass "Prometheus scraped the gateway with the pushed job and model labels"
else
  fail "Prometheus scraped the gateway with the pushed job and model labels" "no glmpipe_run_exit_code{job=\"score\"} = $code within 60 s"
fi

# Every dashboard query, with every job (the All value) and with one job selected.
if python3 scripts/check-dashboard.py --prometheus "$prometheus" --var model=churn; then
  pass "every query of dashboards/glmpipe.json returns data (model=churn, job=All)"
else
  fail "every query of dashboards/glmpipe.json returns data (model=churn, job=All)"
fi
if python3 scripts/check-dashboard.py --prometheus "$prometheus" --var model=churn --var job=score >/dev/null; then
  pass "every query of dashboards/glmpipe.json returns data (model=churn, job=score)"
else
  fail "every query of dashboards/glmpipe.json returns data (model=churn, job=score)"
fi
check_summary
