#!/usr/bin/env bash
# Smoke test of the benchmark scripts: each runs end to end on a small generated input and ends
# with its documented last line. The figures at this size mean nothing; this only proves the
# scripts, their configs and their launcher commands still work together.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$GLMPIPE_ROOT"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
check_start
check_last_line() {  # name, regex of the last line, command...
  local name="$1" pattern="$2"
  shift 2
  local last
  if BENCH_DIR="$work/$name" "$@" >"$work/$name.out" 2>"$work/$name.log" && last=$(tail -1 "$work/$name.out") \
      && [[ "$last" =~ $pattern ]]; then
    pass "$name: $last"
  else
    fail "$name" "last line '${last:-}'; the end of its log:"
    tail -20 "$work/$name.log"
  fi
}

number='[0-9]+\.[0-9]{3}'
check_last_line bench-preprocess "^preprocess_throughput_vs_copy=$number\$" env BENCH_ROWS=20000 scripts/bench-preprocess.sh
check_last_line bench-train "^train_time_vs_mllib=$number\$" env BENCH_ROWS=20000 BENCH_ROUNDS=1 BENCH_HEAP=2g scripts/bench-train.sh
check_last_line bench-monitor "^monitor_vs_scan=$number monitor_speedup_vs_per_column=$number\$" env BENCH_ROWS=20000 BENCH_ROUNDS=1 scripts/bench-monitor.sh
check_last_line bench-serve "^serve_p99_ms=$number serve_floor_p99_ms=$number serve_max_rps=[0-9]+ library_vs_onnxruntime=$number\$" \
  env BENCH_ROWS_PER_DAY=2000 BENCH_ROWS=2000 BENCH_SECONDS=1 scripts/bench-serve.sh
# bench-scale: two small sizes; every job's line carries its record's figures, the driver's peak heap among them.
check_last_line bench-scale "^scale_monitor=$number rows_per_second_per_core_monitor=[0-9]+\$" \
  env BENCH_SCALE_ROWS="5000 10000" scripts/bench-scale.sh
if [ "$(grep -cE '^(preprocess|train|score|monitor) +rows=[0-9]+ seconds=[0-9.]+ peak_heap_mb=[1-9][0-9]* ' "$work/bench-scale.out")" = 8 ]; then
  pass "bench-scale prints each job's time and peak heap at each size"
else
  fail "bench-scale prints each job's time and peak heap at each size" "it printed: $(cat "$work/bench-scale.out")"
fi
mkdir -p "$work/events"
check_last_line bench-score "^score_throughput_vs_copy=$number score_speedup_vs_mllib=$number\$" env BENCH_ROWS=20000 scripts/bench-score.sh \
  --set spark.conf.spark.eventLog.enabled=true --set "spark.conf.spark.eventLog.dir=$work/events"
# The line before the last: MLlib's time over the null model's, the ceiling for the speedup.
if [[ "$(tail -2 "$work/bench-score.out" | head -1)" =~ ^null_model_speedup_vs_mllib=$number$ ]]; then
  pass "bench-score prints the null model's speedup over MLlib before its last line"
else
  fail "bench-score prints the null model's speedup over MLlib before its last line" \
    "that line is '$(tail -2 "$work/bench-score.out" | head -1)'"
fi
# Before that: what run records and the metrics push cost the score they watch (may be negative: noise).
if [[ "$(tail -3 "$work/bench-score.out" | head -1)" =~ ^observability_overhead=-?$number$ ]]; then
  pass "bench-score prints the overhead of run records and metrics"
else
  fail "bench-score prints the overhead of run records and metrics" "that line is '$(tail -3 "$work/bench-score.out" | head -1)'"
fi
# With Iceberg scores: the same last line, and first the paired write cost against Parquet.
check_last_line bench-score-iceberg "^score_throughput_vs_copy=$number score_speedup_vs_mllib=$number\$" \
  env BENCH_ROWS=20000 scripts/bench-score.sh --set score.table_format=iceberg
if [[ "$(grep -m1 -E '^[a-z_]+=' "$work/bench-score-iceberg.out")" =~ ^iceberg_write_overhead=-?$number$ ]]; then
  pass "bench-score with Iceberg scores prints iceberg_write_overhead first"
else
  fail "bench-score with Iceberg scores prints iceberg_write_overhead first" "it printed: $(cat "$work/bench-score-iceberg.out")"
fi
# The timeline reader docs/benchmarks.md points to for where a run's time goes, on that run's event log.
# Each job's line ends in its seconds, its tasks' CPU seconds and its description; with --tasks,
# a line for each task follows.
if timeline=$(scripts/spark-event-timeline.py "$work/events" --last 5 --tasks) \
    && grep -qE " [0-9]+\.[0-9]{3} +[0-9]+\.[0-9]{2}  (\[[^]]*\] )?score dt=" <<<"$timeline" \
    && grep -qE "task \+[0-9.]+ to \+[0-9.]+: ran [0-9.]+ s, cpu [0-9.]+ s, read [1-9][0-9]* records" <<<"$timeline"; then
  pass "spark-event-timeline.py lists the score run's jobs and tasks with their CPU time"
else
  fail "spark-event-timeline.py lists the score run's jobs and tasks with their CPU time" "it printed: ${timeline:-}"
fi
check_summary
