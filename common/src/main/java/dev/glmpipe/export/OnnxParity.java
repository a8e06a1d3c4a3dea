package dev.glmpipe.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.glmpipe.GlmpipeException;
import dev.glmpipe.export.OnnxExport.Input;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;

/**
 * Scores rows with ONNX Runtime and compares with Spark's scores of the same rows: the exported
 * file is accepted only if no score differs by more than the tolerance.
 */
public final class OnnxParity {
  public record Report(long rows, double maxAbsDiff, double tolerance, String runtime) {}

  private OnnxParity() {}

  /**
   * @param rows each row has every input column (by name) and the Spark score in {@code scoreColumn}
   * @throws GlmpipeException (exit 4) when a score differs by more than {@code tolerance}
   */
  public static Report check(OnnxExport.Result onnx, List<Row> rows, String scoreColumn, double tolerance) {
    double[] onnxScores = score(onnx, rows);
    double max = 0;
    int worst = -1;
    for (int i = 0; i < rows.size(); i++) {
      double spark = ((Number) rows.get(i).getAs(scoreColumn)).doubleValue();
      double diff = Math.abs(spark - onnxScores[i]);
      if (Double.isNaN(diff) || diff > max) {
        max = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff;
        worst = i;
      }
    }
    if (max > tolerance) {
      throw GlmpipeException.modelRejected(String.format(java.util.Locale.ROOT,
          "the ONNX export does not reproduce Spark's scores: max abs difference %.3g > %.1g on %d holdout rows"
              + " (row %s: Spark %s, ONNX %s)", max, tolerance, rows.size(), rows.get(worst),
          rows.get(worst).getAs(scoreColumn), onnxScores[worst]));
    }
    return new Report(rows.size(), max, tolerance, "onnxruntime " + OrtEnvironment.getEnvironment().getVersion());
  }

  /** ONNX Runtime's scores of {@code rows}, fed as {@link OnnxExport} documents its inputs. */
  public static double[] score(OnnxExport.Result onnx, List<Row> rows) {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    int n = rows.size();
    Map<String, OnnxTensor> feeds = new HashMap<>();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
         OrtSession session = env.createSession(onnx.model(), options)) {
      for (Input input : onnx.inputs()) {
        if (input.kind() == OnnxExport.InputKind.STRING) {
          String[] values = new String[n];
          for (int i = 0; i < n; i++) {
            Object v = rows.get(i).getAs(input.name());
            values[i] = v == null ? "" : String.valueOf(v);  // as Spark's CAST(x AS STRING)
          }
          feeds.put(input.name(), OnnxTensor.createTensor(env, values, new long[] {n, 1}));
        } else {
          double[][] values = new double[n][1];
          for (int i = 0; i < n; i++) {
            values[i][0] = toDouble(rows.get(i).getAs(input.name()));
          }
          feeds.put(input.name(), OnnxTensor.createTensor(env, values));
        }
      }
      try (OrtSession.Result result = session.run(feeds)) {
        double[][] out = (double[][]) result.get(OnnxExport.OUTPUT).orElseThrow().getValue();
        double[] scores = new double[n];
        for (int i = 0; i < n; i++) {
          scores[i] = out[i][0];
        }
        return scores;
      }
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime cannot run the exported model: " + e.getMessage(), e);
    } finally {
      feeds.values().forEach(OnnxTensor::close);
    }
  }

  /** Numbers as they are, booleans 1/0, timestamps and dates as epoch seconds, null NaN. */
  static double toDouble(Object v) {
    if (v == null) {
      return Double.NaN;
    }
    if (v instanceof Number num) {
      return num.doubleValue();
    }
    if (v instanceof Boolean b) {
      return b ? 1.0 : 0.0;
    }
    if (v instanceof java.sql.Timestamp ts) {
      return ts.toInstant().getEpochSecond() + ts.getNanos() / 1e9;
    }
    if (v instanceof Instant i) {
      return i.getEpochSecond() + i.getNano() / 1e9;
    }
    if (v instanceof java.sql.Date d) {
      return d.toLocalDate().toEpochDay() * 86400.0;
    }
    if (v instanceof LocalDate d) {
      return d.toEpochDay() * 86400.0;
    }
    throw new IllegalArgumentException("no ONNX input for a " + v.getClass().getSimpleName());
  }
}
