#!/usr/bin/env bash
# Benchmark: how each job's cost grows with its input. The bench-train table (20 numeric
# columns, categoricals of 10 and 50 values, a 0/1 label) is written as raw Parquet at each
# size, then preprocess, train, score and monitor run on it as the real jobs, each in a JVM of
# its own with a fixed heap (2g; 4g for train). Evaluate and export run between train and score
# (untimed) so that score finds a champion.
#
#   scripts/bench-scale.sh                 sizes 1,000,000 4,000,000 16,000,000 rows
#   BENCH_SCALE_ROWS="10000 40000" scripts/bench-scale.sh
#
# Per job and size, from the run's record (`glmpipe runs show`): its duration, the driver's peak
# heap, spill and the largest execution memory one task held. Then, per job, from the last two
# sizes n1 < n2 (4M and 16M by default):
#   scale_<job>=<(time at n2 / time at n1) / (n2 / n1)>     (1: linear; below 1: fixed costs amortized)
#   rows_per_second_per_core_<job>=<n2 / time at n2 / cores>
# Spark runs in local mode with all cores. BENCH_DIR sets the work directory (default out/bench-scale).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$GLMPIPE_ROOT"

read -r -a sizes <<<"${BENCH_SCALE_ROWS:-1000000 4000000 16000000}"
[ "${#sizes[@]}" -ge 2 ] || die "BENCH_SCALE_ROWS needs at least two sizes, got '${sizes[*]}'"
for n in "${sizes[@]}"; do
  case "$n" in ''|*[!0-9]*) die "BENCH_SCALE_ROWS must be row counts, not '$n'" ;; esac
done
work="${BENCH_DIR:-out/bench-scale}"
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
day=2026-01-01
jobs=(preprocess train score monitor)
cores=$(nproc)
build_jar

# run_job ROWS JOB HEAP ARGS...: runs one job in a JVM of its own; its log goes to $work/ROWS/JOB.log.
run_job() {
  local rows=$1 job=$2 heap=$3; shift 3
  GLMPIPE_JAVA_OPTS="-Xmx$heap" scripts/glmpipe.sh "$job" --conf conf/bench-scale.yaml \
    --set "storage.root=$work/$rows" --run-id "scale-$rows-$job" "$@" >"$work/$rows/$job.json" 2>"$work/$rows/$job.log" \
    || die "$job failed at $rows rows (heap $heap): $(tail -n 1 "$work/$rows/$job.json" 2>/dev/null) — see $work/$rows/$job.log"
}

# A run record's figures, one line: seconds peak_heap_mb spill_mb peak_execution_memory_mb.
figures() {
  local rows=$1 job=$2
  scripts/glmpipe.sh runs show --conf conf/bench-scale.yaml --set "storage.root=$work/$rows" "scale-$rows-$job" 2>/dev/null \
    | python3 -c '
import json, sys
r = json.loads(sys.stdin.readline())
mb = lambda v: (v or 0) / 2**20
print("%.3f %.0f %.0f %.0f" % (r["duration_seconds"], mb(r["gauges"].get("driver_peak_heap_bytes")),
                               mb(r.get("spill_bytes")), mb(r.get("peak_execution_memory_bytes"))))'
}

declare -A seconds
for rows in "${sizes[@]}"; do
  mkdir -p "$work/$rows"
  log "$rows rows: generating the raw partition"
  run_job "$rows" bench-data 4g --rows "$rows" --dt "$day"
  for job in "${jobs[@]}"; do
    case "$job" in
      train) run_job "$rows" train 4g --dt "$day" ;;
      score)
        run_job "$rows" evaluate 2g
        run_job "$rows" export 2g
        run_job "$rows" score 2g --dt "$day" ;;
      *) run_job "$rows" "$job" 2g --dt "$day" ;;
    esac
    read -r secs heap spill exec_mem <<<"$(figures "$rows" "$job")"
    seconds[$job,$rows]=$secs
    printf '%-10s rows=%s seconds=%s peak_heap_mb=%s spill_mb=%s peak_execution_memory_mb=%s\n' \
      "$job" "$rows" "$secs" "$heap" "$spill" "$exec_mem"
  done
done

n1=${sizes[${#sizes[@]}-2]} n2=${sizes[${#sizes[@]}-1]}
for job in "${jobs[@]}"; do
  python3 -c "import sys; t1, t2, n1, n2, c = map(float, sys.argv[1:6]); print('scale_%s=%.3f rows_per_second_per_core_%s=%.0f' % (sys.argv[6], (t2 / t1) / (n2 / n1), sys.argv[6], n2 / t2 / c))" \
    "${seconds[$job,$n1]}" "${seconds[$job,$n2]}" "$n1" "$n2" "$cores" "$job"
done
