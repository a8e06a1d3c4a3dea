#!/usr/bin/env bash
# Benchmark: preprocess vs a plain Parquet read → write of the same columns, on the same
# generated typed-Parquet input (BENCH_ROWS rows, default 4,000,000), in one Spark session.
# The last line is  preprocess_throughput_vs_copy=<copy time / preprocess time>  (1.0 = as fast
# as copying), and the line before it  preprocess_vs_floor=<floor time / preprocess time>, where
# the floor is the copy plus a read of the key columns alone and a write of the quarantined
# rows (what preprocess must read and write at least). Spark runs in local mode with all cores; BENCH_HEAP sets the driver heap (4g).
# Extra arguments go to the job, e.g. `--set dataset.contract.unique=null` to measure without
# the uniqueness rule.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$GLMPIPE_ROOT"

rows="${BENCH_ROWS:-4000000}"
work="${BENCH_DIR:-out/bench-preprocess}"
rm -rf "$work"
result=$(GLMPIPE_JAVA_OPTS="-Xmx${BENCH_HEAP:-4g}" scripts/glmpipe.sh bench-preprocess --conf conf/local.yaml \
  --set "storage.root=$work" --set storage.tables.raw=raw --set dataset.input.format=parquet \
  --set "spark.master=local[*]" --set dataset.contract.max_quarantine_fraction=0.5 \
  --rows "$rows" "$@" 2> >(grep -E "round|ERROR|error" >&2))
echo "$result"
echo "preprocess_vs_floor=$(printf '%.3f' "$(result_field "$result" preprocess_vs_floor)")"
echo "preprocess_throughput_vs_copy=$(printf '%.3f' "$(result_field "$result" preprocess_throughput_vs_copy)")"
