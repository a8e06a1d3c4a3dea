#!/usr/bin/env bash
# Runs the whole pipeline on the committed sample data with Spark in local mode:
#   preprocess (every sample day) → train (all days but the last) → evaluate → export → score (last day)
#   → monitor (drift of the last day, then realized performance as of it)
# Needs only Java 17: the first run downloads Maven, Spark's jars and builds glmpipe.
#
# Outputs go under out/local/ (override with GLMPIPE_OUT=path). Rerunning is safe: each date's
# partitions are replaced, and train adds a new model version.
#
#   scripts/run-local.sh [--iceberg]
#
# --iceberg: the scores and the monitoring table are Iceberg tables (conf/local-iceberg.yaml: a
# Hadoop catalog whose warehouse is <out>/iceberg) instead of Parquet directories.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$GLMPIPE_ROOT"

out="${GLMPIPE_OUT:-out/local}"
case "${1:-}" in
  "") conf_file=conf/local.yaml ;;
  --iceberg) conf_file=conf/local-iceberg.yaml ;;
  *) die "usage: scripts/run-local.sh [--iceberg] (got '$1')" ;;
esac
conf=(--conf "$conf_file" --set "storage.root=$out")
days=($(ls data-samples/raw | sed -n 's/^dt=//p' | sort))
[ "${#days[@]}" -ge 2 ] || die "data-samples/raw needs at least two dt= partitions"
first="${days[0]}"; last="${days[${#days[@]}-1]}"; before_last="${days[${#days[@]}-2]}"

build_jar
logs="$out/logs"
mkdir -p "$logs"

# result_field, with numbers shortened to 4 decimals.
field() {
  local v
  v=$(result_field "$1" "$2")
  case "$v" in
    *.*[0-9]) printf '%.4f' "$v" ;;
    *) printf '%s' "$v" ;;
  esac
}

# run JOB [options]: the job's result on stdout; its log and result go to $logs/<name>.{log,json},
# <name> being $log_name if set (a job run twice), else the job.
run() {
  local job="$1"; shift
  local result name="${log_name:-$job}"
  log "$job $*  (log: $logs/$name.log)"
  if ! result=$(scripts/glmpipe.sh "$job" "${conf[@]}" "$@" 2>"$logs/$name.log"); then
    tail -n 5 "$logs/$name.log" >&2
    die "$job failed; full log: $logs/$name.log"
  fi
  echo "$result" >"$logs/$name.json"
  printf '%s' "$result"
}

start=$(date +%s)
pre=$(run preprocess --from "$first" --to "$last")
train=$(run train --from "$first" --to "$before_last")
eval=$(run evaluate)
export_=$(run export)
score=$(run score --dt "$last")
monitor=$(run monitor --dt "$last")
realized=$(log_name=monitor-realized run monitor --dt "$last" --realized)

if [ "$conf_file" = conf/local-iceberg.yaml ]; then
  scores_at="Iceberg table $(field "$score" table), dt=$last (warehouse $out/iceberg)"
  monitoring_at="Iceberg table glmpipe.glmpipe.monitoring_churn"
else
  scores_at="$out/scores/churn/dt=$last/"
  monitoring_at="$out/monitoring/churn/dt=*/"
fi
cat <<SUMMARY

glmpipe ran on data-samples/ ($first..$last) in $(( $(date +%s) - start )) s.

  preprocess  $(field "$pre" input_rows) rows read, $(field "$pre" valid_rows) valid, $(field "$pre" quarantined_rows) quarantined
              features:   $out/features/dt=*/
              quarantine: $out/quarantine/dt=*/   (each row with its reasons)
  train       model $(field "$train" model) version $(field "$train" version) on $first..$before_last: $(field "$train" train_rows) rows, $(field "$train" iterations) iterations
              $out/models/churn/versions/$(field "$train" version)/   (manifest.json, MLlib model)
  evaluate    holdout metrics: auc_roc=$(field "$eval" auc_roc) log_loss=$(field "$eval" log_loss) accuracy=$(field "$eval" accuracy)
              $out/models/churn/evaluations/$(field "$eval" version).json
  export      champion is now $(field "$export_" champion)
              $(field "$export_" coefficients_path)
  score       $(field "$score" rows) rows of $last scored
              $scores_at
  monitor     $last: $(field "$monitor" alert_count) drift alerts; realized performance: $(field "$realized" alert_count) alerts
              (the committed samples carry no label feed: datagen.labels writes one)
              table:  $monitoring_at
              report: $out/reports/monitoring-churn.html

Job results (JSON) and logs: $logs/
SUMMARY
