#!/usr/bin/env bash
# Benchmark: glmpipe score vs (a) a null model that reads the same input columns and writes the
# same output schema with a constant score, and (b) MLlib PipelineModel.transform writing the
# same output — on one generated features partition (BENCH_ROWS rows, default 4,000,000: 20
# numeric and 2 categorical columns), in one Spark session, after training a model on 200,000
# rows. The line before the last is
#   null_model_speedup_vs_mllib=<MLlib time / null model time>
# the speedup a scorer would show if scoring cost nothing beyond reading and writing the rows (the
# ceiling for score_speedup_vs_mllib on this machine). The line before that is
#   observability_overhead=<score with run record and metrics push / score without - 1>
# (the same score watched as the launcher watches a run: task metrics listener, phase clock, run
# record, metrics pushed to a local stand-in Pushgateway; the two run back to back in each
# round, in turns first, and the median of the rounds' ratios counts), after
#   observer_seconds=<median seconds spent in the observer's own calls: attach, record, push>
# the fixed part of that overhead measured directly, after
#   score_minus_null_seconds=<score time - null model time>   (at 200,000 rows: a run's fixed cost)
# The last line is
#   score_throughput_vs_copy=<null model time / score time> score_speedup_vs_mllib=<MLlib time / score time>
# With --set score.table_format=iceberg, score commits to an Iceberg table, each round also scores
# the date into the Parquet table (back to back with the Iceberg score, in turns first), and the
# first of those lines is
#   iceberg_write_overhead=<median over the rounds of Iceberg score time / Parquet score time - 1>
# Spark runs in local mode with all cores; BENCH_HEAP sets the driver heap (default 2g, which
# must be enough for BENCH_ROWS=20000000: nothing is collected or cached).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$GLMPIPE_ROOT"

rows="${BENCH_ROWS:-4000000}"
work="${BENCH_DIR:-out/bench-score}"
rm -rf "$work"
columns="{name: customer_id, type: string, nullable: false}"
numeric=""
for i in $(seq 0 19); do
  columns="$columns, {name: x$i, type: double}"
  numeric="$numeric${numeric:+, }{column: x$i, impute: mean, scale: standard}"
done
columns="$columns, {name: plan, type: string}, {name: region, type: string}, {name: churned, type: integer, nullable: false, allowed: [\"0\", \"1\"]}"
result=$(GLMPIPE_JAVA_OPTS="-Xmx${BENCH_HEAP:-2g}" scripts/glmpipe.sh bench-score --conf conf/local.yaml \
  --set "storage.root=$work" --set "spark.master=local[*]" \
  --set "dataset.contract.columns=[$columns]" --set "dataset.contract.unique=null" \
  --set "features.numeric=[$numeric]" --set "features.categorical=[{column: plan}, {column: region}]" \
  --set "features.timestamp=[]" --set "features.crosses=[]" --set "features.boolean=[]" \
  --set "model.max_iter=20" --set "train.holdout.fraction=0.1" \
  --rows "$rows" "$@" 2> >(grep -E "round|ERROR|error|falling back|ScoreDates" >&2))
echo "$result"
ratio() { printf '%.3f' "$(result_field "$result" "$1")"; }
if [ "$(result_field "$result" iceberg_write_overhead)" != null ]; then
  echo "iceberg_write_overhead=$(ratio iceberg_write_overhead)"
fi
# At a small size (200,000 rows, say) the difference is the fixed cost of a score run.
echo "score_minus_null_seconds=$(awk -v s="$(result_field "$result" score_seconds)" -v c="$(result_field "$result" copy_seconds)" 'BEGIN { printf "%.3f", s - c }')"
echo "observer_seconds=$(ratio observer_seconds)"
echo "observability_overhead=$(ratio observability_overhead)"
echo "null_model_speedup_vs_mllib=$(ratio null_model_speedup_vs_mllib)"
echo "score_throughput_vs_copy=$(ratio score_throughput_vs_copy) score_speedup_vs_mllib=$(ratio score_speedup_vs_mllib)"
