#!/usr/bin/env bash
# Benchmark: drift monitoring's binned counts (BinnedCounts over 22 columns: 20 numeric cut at
# their deciles, 2 categorical at their levels) vs (a) a plain scan, one Spark aggregate that
# reads and uses the same columns, and (b) a job per column as a user would write it (MLlib
# Bucketizer + groupBy(bucket).count(), groupBy(level).count()), on one generated features
# partition (BENCH_ROWS rows, default 4,000,000; the bench-score table) read from Parquet, in one
# Spark session. A warm-up round, then BENCH_ROUNDS timed rounds (default 5); the medians count,
# and every round checks that the three agree (else exit 1). Prints each round's seconds (wall
# clock, and the JVM's CPU seconds, steadier on a shared machine), the medians, then as the last
# line
#   monitor_vs_scan=<scan time / monitor time> monitor_speedup_vs_per_column=<per-column time / monitor time>
# Spark runs in local mode with all cores; BENCH_HEAP sets the driver heap (default 2g: nothing
# is collected or cached). Extra arguments go to the job.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$GLMPIPE_ROOT"

rows="${BENCH_ROWS:-4000000}"
work="${BENCH_DIR:-out/bench-monitor}"
rm -rf "$work"
result=$(GLMPIPE_JAVA_OPTS="-Xmx${BENCH_HEAP:-2g}" scripts/glmpipe.sh bench-monitor --conf conf/local.yaml \
  --set "storage.root=$work" --set "spark.master=local[*]" \
  --rows "$rows" --rounds "${BENCH_ROUNDS:-5}" "$@" 2> >(grep -E "round|ERROR|error|disagree" >&2))
echo "$result"
# A list of the result: its numbers, space-separated, at 2 decimals.
seconds() { grep -o "\"$1\":\[[^]]*" <<<"$result" | sed 's/^[^[]*\[//' | tr ',' '\n' | xargs printf '%.2f ' | sed 's/ $//'; }
echo "seconds_per_round scan=[$(seconds scan_seconds)] per_column=[$(seconds per_column_seconds)] monitor=[$(seconds monitor_seconds)]"
echo "cpu_seconds_per_round scan=[$(seconds scan_cpu_seconds)] per_column=[$(seconds per_column_cpu_seconds)] monitor=[$(seconds monitor_cpu_seconds)]"
ratio() { printf '%.3f' "$(result_field "$result" "$1")"; }
echo "median_seconds scan=$(printf '%.2f' "$(result_field "$result" scan_median_seconds)") per_column=$(printf '%.2f' "$(result_field "$result" per_column_median_seconds)") monitor=$(printf '%.2f' "$(result_field "$result" monitor_median_seconds)")"
echo "monitor_vs_scan=$(ratio monitor_vs_scan) monitor_speedup_vs_per_column=$(ratio monitor_speedup_vs_per_column)"
