#!/usr/bin/env bash
# Pushes made-up run metrics, in the shape glmpipe's jobs push them (README.md, "Run records and
# metrics"), to a Pushgateway: for working on dashboards/glmpipe.json without running Spark.
# Not a test: scripts/test-metrics.sh runs the real jobs.
#
#   scripts/push-sample-metrics.sh http://127.0.0.1:9091 [model]
#
# Every job once, successfully, then a failed score run (exit 3) that leaves score's
# last-success timestamp where it was, as a real failed run does.
set -euo pipefail
gateway="${1:?usage: $0 PUSHGATEWAY_URL [model]}"
model="${2:-churn}"
now=$(date +%s)
version="20261101-120000-abcd"

# push JOB EXIT: POSTs (pushAdd) one run's metrics in the group job=JOB, model=$model.
push() {
  local job=$1 code=$2 rows_in=${3:-3000} duration=${4:-12.5}
  {
    echo "# TYPE glmpipe_run_duration_seconds gauge"
    echo "glmpipe_run_duration_seconds $duration"
    echo "# TYPE glmpipe_run_phase_duration_seconds gauge"
    echo "glmpipe_run_phase_duration_seconds{phase=\"read\"} 2.5"
    echo "glmpipe_run_phase_duration_seconds{phase=\"write\"} 4.0"
    echo "# TYPE glmpipe_run_rows gauge"
    echo "glmpipe_run_rows{kind=\"in\"} $rows_in"
    echo "glmpipe_run_rows{kind=\"out\"} $((rows_in * 99 / 100))"
    echo "glmpipe_run_rows{kind=\"quarantined\"} $((rows_in / 100))"
    echo "# TYPE glmpipe_run_bytes gauge"
    echo "glmpipe_run_bytes{direction=\"read\"} $((rows_in * 120))"
    echo "glmpipe_run_bytes{direction=\"written\"} $((rows_in * 80))"
    echo "# TYPE glmpipe_run_shuffle_bytes gauge"
    echo "glmpipe_run_shuffle_bytes{direction=\"read\"} 1024"
    echo "glmpipe_run_shuffle_bytes{direction=\"written\"} 1024"
    echo "# TYPE glmpipe_run_spill_bytes gauge"
    echo "glmpipe_run_spill_bytes 0"
    echo "# TYPE glmpipe_run_cpu_seconds gauge"
    echo "glmpipe_run_cpu_seconds 8.25"
    echo "# TYPE glmpipe_run_gc_seconds gauge"
    echo "glmpipe_run_gc_seconds 0.4"
    echo "# TYPE glmpipe_run_peak_execution_memory_bytes gauge"
    echo "glmpipe_run_peak_execution_memory_bytes 33554432"
    echo "# TYPE glmpipe_run_exit_code gauge"
    echo "glmpipe_run_exit_code $code"
    echo "# TYPE glmpipe_run_end_timestamp_seconds gauge"
    echo "glmpipe_run_end_timestamp_seconds $now"
    if [ "$code" = 0 ]; then
      echo "# TYPE glmpipe_last_success_timestamp_seconds gauge"
      echo "glmpipe_last_success_timestamp_seconds $now"
    fi
    case "$job" in
      train|evaluate|export|score|monitor)
        echo "# TYPE glmpipe_model_version_info gauge"
        echo "glmpipe_model_version_info{version=\"$version\"} 1" ;;
    esac
    case "$job" in
      preprocess)
        echo "# TYPE glmpipe_run_quarantine_ratio gauge"
        echo "glmpipe_run_quarantine_ratio 0.01" ;;
      evaluate)
        echo "# TYPE glmpipe_evaluate_holdout_auc gauge"
        echo "glmpipe_evaluate_holdout_auc 0.81" ;;
      export)
        echo "# TYPE glmpipe_champion_since_timestamp_seconds gauge"
        echo "glmpipe_champion_since_timestamp_seconds{version=\"$version\"} $now" ;;
      monitor)
        echo "# TYPE glmpipe_monitor_drift_alerts gauge"
        echo "glmpipe_monitor_drift_alerts 0"
        echo "# TYPE glmpipe_monitor_max_psi gauge"
        echo "glmpipe_monitor_max_psi 0.04"
        echo "# TYPE glmpipe_monitor_estimated_auc gauge"
        echo "glmpipe_monitor_estimated_auc 0.80" ;;
      monitor_realized)
        echo "# TYPE glmpipe_monitor_realized_auc gauge"
        echo "glmpipe_monitor_realized_auc 0.79" ;;
    esac
  } | curl -fsS --data-binary @- "$gateway/metrics/job/$job/model/$model"
}

for job in datagen preprocess train evaluate export score monitor monitor_realized; do
  push "$job" 0
done
# A failed score run: exit code and end time move, the last success stays.
push score 3 0 1.5
echo "pushed sample metrics for model $model to $gateway" >&2
