#!/usr/bin/env bash
# Benchmark: the prediction service and the scorer library outside Spark, on a model version the
# pipeline makes from generated data (datagen -> preprocess -> train -> evaluate -> export, the
# shipped feature spec, BENCH_ROWS_PER_DAY rows a day for 3 days: JSON and ONNX exports).
#   1. In one JVM, the library (coefficients.json) and ONNX Runtime's Java API (model.onnx) score
#      the same BENCH_ROWS seeded records, one record per call as the service scores them.
#   2. The service (the scorer's service jar) runs on 127.0.0.1, and an open-loop load generator
#      in another JVM sends it single-row predict requests at fixed rates, BENCH_SECONDS per
#      rate, over 12 kept-alive connections, measuring each latency from when the request was due.
# Both JVMs share this machine's cores. Each step's figures are printed, then
#   serve_p99_ms=<p99 latency at 1000 requests/s>
#   serve_floor_p99_ms=<p99 of GET /healthz at 1000 requests/s: the HTTP round trip alone, no scoring>
#   serve_max_rps=<highest rate sustained (97% achieved, no error) with p99 under 10 ms; the rates
#                  rise until one is not achieved>
#   library_vs_onnxruntime=<ONNX Runtime time per row / library time per row>
# and last the three together on one line.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$GLMPIPE_ROOT"

work="${BENCH_DIR:-out/bench-serve}"
seconds="${BENCH_SECONDS:-10}"
rows="${BENCH_ROWS:-20000}"
rm -rf "$work"
mkdir -p "$work"

log "a model version with JSON and ONNX exports (the pipeline on generated data)"
job() {
  scripts/glmpipe.sh "$@" --conf conf/local.yaml --set "storage.root=$work" --set storage.tables.raw=raw \
    --set "datagen.rows_per_day=${BENCH_ROWS_PER_DAY:-5000}" --set "evaluate.bootstrap={replicates: 0}" \
    --set "evaluate.minimum={auc_roc: 0.55}" --set "evaluate.maximum={log_loss: 0.69}" 2>>"$work/pipeline.log"
}
job datagen --from 2026-11-01 --to 2026-11-03 >/dev/null
job preprocess --from 2026-11-01 --to 2026-11-03 >/dev/null
version=$(result_field "$(job train --from 2026-11-01 --to 2026-11-03)" version)
job evaluate >/dev/null
job export >/dev/null
exports="$work/models/churn/exports/$version"
[ -f "$exports/model.onnx" ] || die "no ONNX export in $exports (see $work/pipeline.log)"

log "building the scorer's service jar and the benchmark classes"
./mvnw -B -q -pl scorer -DskipTests package >&2
./mvnw -B -q -pl scorer dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt >&2
cp="scorer/target/classes:scorer/target/test-classes:$(cat scorer/target/bench-classpath.txt)"
jar="scorer/target/glmpipe-scorer-$GLMPIPE_VERSION-service.jar"

log "library vs ONNX Runtime on $rows records, one per call"
ort=$(java -Xmx1g -cp "$cp" dev.glmpipe.scorer.bench.OrtComparison "$exports" "$rows" 5)
echo "$ort"

port=$(free_port)
log "the service on 127.0.0.1:$port, $seconds s per rate"
java -Xms256m -Xmx256m -jar "$jar" --models "$work/models" --model churn --port "$port" 2>"$work/serve.log" &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
wait_http "http://127.0.0.1:$port/healthz" 60 || die "the service did not start (see $work/serve.log)"
load=$(java -Xmx512m -cp "$cp" dev.glmpipe.scorer.bench.LoadGenerator "$port" churn "$exports" "$seconds")
echo "$load"
kill "$server"
wait "$server" 2>/dev/null || true
trap - EXIT

field() { grep -o "^$1=[^ ]*" <<<"$2" | head -1 | cut -d= -f2; }
echo "serve_p99_ms=$(field serve_p99_ms "$load") serve_floor_p99_ms=$(field serve_floor_p99_ms "$load") serve_max_rps=$(field serve_max_rps "$load") library_vs_onnxruntime=$(field library_vs_onnxruntime "$ort")"
