#!/usr/bin/env bash
# Benchmark: glmpipe train vs the plain MLlib pipeline of the MLlib guide (StringIndexer +
# OneHotEncoder + VectorAssembler + LogisticRegression, defaults, same maxIter/tol), on the same
# generated table (BENCH_ROWS rows, default 4,000,000: 20 numeric columns, categoricals of 10
# and 50 values, a 0/1 label), in one Spark session. Both must reach the same training log loss
# within 1e-6 (else exit 1). Prints the peak memory of each, and as the last line
#   train_time_vs_mllib=<glmpipe time / MLlib time>   (lower is better)
# The line before the last is the floor of the work (one read of the rows encoded into cached
# feature vectors, then MLlib's solver alone on them) against the same MLlib time:
#   train_floor_vs_mllib=<floor time / MLlib time>   (train_time_vs_mllib cannot go below it)
# Spark runs in local mode with all cores; BENCH_HEAP sets the heap (default 6g).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$GLMPIPE_ROOT"

rows="${BENCH_ROWS:-4000000}"
work="${BENCH_DIR:-out/bench-train}"
rm -rf "$work"
result=$(GLMPIPE_JAVA_OPTS="-Xmx${BENCH_HEAP:-6g}" scripts/glmpipe.sh bench-train --conf conf/bench-train.yaml \
  --set "storage.root=$work" --rows "$rows" --rounds "${BENCH_ROUNDS:-2}" 2> >(grep -E "round|ERROR|error" >&2))
echo "$result"
field() { result_field "$result" "$1"; }
printf 'log_loss mllib=%s glmpipe=%s\n' "$(field mllib_log_loss)" "$(field glmpipe_log_loss)"
printf 'peak_heap_mb mllib=%s glmpipe=%s\n' "$(field mllib_peak_heap_mb)" "$(field glmpipe_peak_heap_mb)"
printf 'peak_cached_memory_mb mllib=%s glmpipe=%s\n' "$(field mllib_peak_cached_mb)" "$(field glmpipe_peak_cached_mb)"
printf 'peak_cached_disk_mb mllib=%s glmpipe=%s\n' "$(field mllib_peak_cached_disk_mb)" "$(field glmpipe_peak_cached_disk_mb)"
if [ "$(field log_loss_matches)" != "true" ]; then
  echo "error: the two models' training log loss differs by more than 1e-6" >&2
  exit 1
fi
printf 'floor_seconds=%s encode=%s solve=%s (one read encoded into cached vectors, then MLlib'"'"'s solver alone)\n' \
  "$(field floor_seconds)" "$(field floor_encode_seconds)" "$(field floor_solve_seconds)"
echo "train_floor_vs_mllib=$(printf '%.3f' "$(field train_floor_vs_mllib)")"
echo "train_time_vs_mllib=$(printf '%.3f' "$(field train_time_vs_mllib)")"
