package dev.glmpipe.scorer.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.glmpipe.scorer.ExportedModel;
import dev.glmpipe.scorer.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The library against ONNX Runtime's Java API on the same version ({@code coefficients.json} and
 * {@code model.onnx} of one export) and the same records, one record per call as the service
 * scores them, in this JVM: warm-up, then the best of {@code rounds} timed passes each. Prints
 * {@code library_ns_per_row=}, {@code onnxruntime_ns_per_row=}, {@code max_abs_diff=} (the two
 * scorers' largest score difference) and last {@code library_vs_onnxruntime=<ORT / library>}.
 *
 * <p>Usage: {@code OrtComparison EXPORT_DIR [ROWS] [ROUNDS]}.
 */
public final class OrtComparison {
  private OrtComparison() {}

  @SuppressWarnings("unchecked")
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    ExportedModel model = ExportedModel.load(dir);
    List<Map<String, Object>> rows = BenchRows.of(model, n, 7);
    Map<String, Object> description = (Map<String, Object>) Json.parse(Files.readString(dir.resolve("onnx.json")));
    List<Map<String, Object>> inputs = (List<Map<String, Object>>) (Object) description.get("inputs");
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      try (OrtSession session = env.createSession(Files.readAllBytes(dir.resolve("model.onnx")), options)) {
        double[] lib = new double[n];
        double[] ort = new double[n];
        long libBest = Long.MAX_VALUE;
        long ortBest = Long.MAX_VALUE;
        for (int round = 0; round < rounds + 1; round++) {  // the first pass warms up
          long t0 = System.nanoTime();
          for (int i = 0; i < n; i++) {
            lib[i] = model.score(rows.get(i)).score();
          }
          long t1 = System.nanoTime();
          for (int i = 0; i < n; i++) {
            ort[i] = ortScore(env, session, inputs, rows.get(i));
          }
          long t2 = System.nanoTime();
          if (round > 0) {
            libBest = Math.min(libBest, t1 - t0);
            ortBest = Math.min(ortBest, t2 - t1);
          }
        }
        double max = 0;
        for (int i = 0; i < n; i++) {
          max = Math.max(max, Math.abs(lib[i] - ort[i]));
        }
        double libPerRow = (double) libBest / n;
        double ortPerRow = (double) ortBest / n;
        System.out.printf(Locale.ROOT, "library_ns_per_row=%.0f%n", libPerRow);
        System.out.printf(Locale.ROOT, "onnxruntime_ns_per_row=%.0f%n", ortPerRow);
        System.out.printf(Locale.ROOT, "max_abs_diff=%.3g%n", max);
        System.out.printf(Locale.ROOT, "library_vs_onnxruntime=%.3f%n", ortPerRow / libPerRow);
      }
    }
  }

  /** One record through ONNX Runtime, fed as onnx.json documents: doubles (null NaN), strings (null ""), epoch seconds. */
  private static double ortScore(OrtEnvironment env, OrtSession session, List<Map<String, Object>> inputs, Map<String, Object> row)
      throws Exception {
    Map<String, OnnxTensor> feeds = new HashMap<>();
    try {
      for (Map<String, Object> in : inputs) {
        String name = (String) in.get("name");
        Object v = row.get(name);
        if ("STRING".equals(in.get("kind"))) {
          feeds.put(name, OnnxTensor.createTensor(env, new String[] {v == null ? "" : v.toString()}, new long[] {1, 1}));
        } else {
          feeds.put(name, OnnxTensor.createTensor(env, new double[][] {{toDouble(v)}}));
        }
      }
      try (OrtSession.Result result = session.run(feeds)) {
        return ((double[][]) result.get(0).getValue())[0][0];
      }
    } finally {
      feeds.values().forEach(OnnxTensor::close);
    }
  }

  private static double toDouble(Object v) {
    if (v == null) {
      return Double.NaN;
    }
    if (v instanceof Number x) {
      return x.doubleValue();
    }
    if (v instanceof Boolean b) {
      return b ? 1.0 : 0.0;
    }
    if (v instanceof Instant i) {
      return i.getEpochSecond() + i.getNano() / 1e9;
    }
    if (v instanceof LocalDate d) {
      return d.toEpochDay() * 86400.0;
    }
    throw new IllegalArgumentException("not a number: " + v);
  }
}
