package dev.glmpipe.score;

import dev.glmpipe.Columns;
import dev.glmpipe.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Scores a sample of the input with both engines and compares: the compiled scorer is trusted
 * on a run only after it agreed with MLlib on that run's own data. Scores agree when they differ
 * by at most {@link #TOLERANCE} (relative to the value above 1, as linear predictions can be
 * large and the two engines sum in a different order); predictions must be equal.
 */
public final class ParityCheck {
  public static final double TOLERANCE = 1e-9;
  private static final String ROW = "__glm_parity_row";

  /** How the engines compared; {@code mismatch} describes the worst disagreement, if any. */
  public record Result(int rows, double maxDifference, String mismatch) {
    public boolean passed() {
      return mismatch == null;
    }
  }

  private ParityCheck() {}

  /** Compares the engines on the first {@code sampleRows} rows of {@code input}. */
  public static Result run(SparkSession spark, PipelineScorer scorer, Dataset<Row> input, int sampleRows, List<String> keyColumns) {
    return run(spark, scorer, sample(input, sampleRows), keyColumns);
  }

  /** The rows a check compares on: the first {@code sampleRows} of {@code input}, read now. */
  public static Sample sample(Dataset<Row> input, int sampleRows) {
    return new Sample(input.schema(), input.limit(sampleRows).collectAsList());
  }

  /** A sample of the input, held on the driver. */
  public record Sample(StructType schema, List<Row> rows) {}

  /**
   * Compares the engines on {@code sample}, on the driver alone: the projections of a local
   * relation are evaluated by the optimizer and collected without a Spark job (which is also
   * why the rows are put back in order here rather than by a sort in the plan). So a check can
   * run next to a scoring job without queueing behind its tasks, provided no stage reads
   * anything with a job of its own (the registry's loaded imputers hold their surrogates).
   */
  public static Result run(SparkSession spark, PipelineScorer scorer, Sample sample, List<String> keyColumns) {
    StructType schema = sample.schema().add(ROW, DataTypes.IntegerType, false);
    List<Row> numbered = new ArrayList<>();
    for (int i = 0; i < sample.rows().size(); i++) {
      Row row = sample.rows().get(i);
      Object[] values = new Object[row.length() + 1];
      for (int j = 0; j < row.length(); j++) {
        values[j] = row.get(j);
      }
      values[values.length - 1] = i;
      numbered.add(RowFactory.create(values));
    }
    Dataset<Row> rows = spark.createDataFrame(numbered, schema);
    List<Row> compiled = inOrder(outputs(scorer.predictions(rows, PipelineScorer.Engine.COMPILED), scorer.kind()));
    List<Row> mllib = inOrder(outputs(scorer.predictions(rows, PipelineScorer.Engine.MLLIB), scorer.kind()));
    return compare(scorer.kind(), sample, compiled, mllib, keyColumns);
  }

  private static Result compare(PipelineCompiler.Kind kind, Sample sample, List<Row> compiled, List<Row> mllib,
      List<String> keyColumns) {
    double worst = 0.0;
    String mismatch = null;
    for (int i = 0; i < compiled.size(); i++) {
      Row c = compiled.get(i);
      Row m = mllib.get(i);
      double diff = difference(c.get(1), m.get(1));
      // A linear model's prediction is its score, compared above with the tolerance.
      boolean predictionDiffers = kind != PipelineCompiler.Kind.LINEAR
          && !String.valueOf(c.get(2)).equals(String.valueOf(m.get(2)));
      if (kind == PipelineCompiler.Kind.MULTINOMIAL) {
        List<Double> pc = c.getList(3);
        List<Double> pm = m.getList(3);
        for (int k = 0; k < pm.size(); k++) {
          diff = Math.max(diff, difference(pc.get(k), pm.get(k)));
        }
      }
      if (diff > worst || (predictionDiffers && mismatch == null)) {
        worst = Math.max(worst, diff);
        if (diff > TOLERANCE || predictionDiffers) {
          mismatch = "row " + keys(sample.rows().get(i), sample.schema(), keyColumns) + ": compiled score " + c.get(1)
              + " prediction " + c.get(2) + (c.length() > 3 ? " probabilities " + c.get(3) : "")
              + ", MLlib score " + m.get(1) + " prediction " + m.get(2) + (m.length() > 3 ? " probabilities " + m.get(3) : "");
        }
      }
    }
    return new Result(compiled.size(), worst, mismatch);
  }

  private static Dataset<Row> outputs(Dataset<Row> scored, PipelineCompiler.Kind kind) {
    List<Column> cols = new ArrayList<>(List.of(Sql.column(ROW), Sql.column(Columns.SCORE), Sql.column(Columns.PREDICTION)));
    if (kind == PipelineCompiler.Kind.MULTINOMIAL) {
      cols.add(Sql.column(Columns.PROBABILITIES));
    }
    return scored.select(cols.toArray(Column[]::new));
  }

  private static List<Row> inOrder(Dataset<Row> outputs) {
    List<Row> rows = new ArrayList<>(outputs.collectAsList());
    rows.sort(java.util.Comparator.comparingInt(r -> r.getInt(0)));
    return rows;
  }

  /** 0 when both are the same number, both NaN or both null; otherwise the scaled difference. */
  static double difference(Object a, Object b) {
    if (a == null || b == null) {
      return a == b ? 0.0 : Double.POSITIVE_INFINITY;
    }
    double x = ((Number) a).doubleValue();
    double y = ((Number) b).doubleValue();
    if (Double.isNaN(x) || Double.isNaN(y)) {
      return Double.isNaN(x) && Double.isNaN(y) ? 0.0 : Double.POSITIVE_INFINITY;
    }
    if (x == y) {
      return 0.0;
    }
    return Math.abs(x - y) / Math.max(1.0, Math.abs(y));
  }

  private static String keys(Row row, StructType schema, List<String> keyColumns) {
    if (keyColumns.isEmpty()) {
      return row.toString();
    }
    return keyColumns.stream().map(k -> k + "=" + row.get(schema.fieldIndex(k))).collect(Collectors.joining(", ", "{", "}"));
  }
}
