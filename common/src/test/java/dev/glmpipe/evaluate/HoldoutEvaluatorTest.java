package dev.glmpipe.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.glmpipe.Columns;
import dev.glmpipe.config.EvaluateConfig;
import dev.glmpipe.evaluate.EvaluationReport.CalibrationBin;
import dev.glmpipe.evaluate.EvaluationReport.LiftBin;
import dev.glmpipe.evaluate.EvaluationReport.Slice;
import dev.glmpipe.testing.SharedSpark;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Every metric checked against a plain-Java computation on the same small, generated rows
 * (pairwise AUC, a sort for KS and deciles, textbook formulas), not against MLlib itself.
 */
class HoldoutEvaluatorTest {
  private static final double TOL = 1e-9;
  private final SparkSession spark = SharedSpark.get();

  /** Rows of (label, P(1), region); labels drawn from the scores, so the model is informative. */
  private record Binary(double[] y, double[] p, String[] region) {}

  private static Binary binaryRows(int n, long seed) {
    Random r = new Random(seed);
    double[] y = new double[n];
    double[] p = new double[n];
    String[] region = new String[n];
    for (int i = 0; i < n; i++) {
      p[i] = 0.02 + 0.96 * r.nextDouble();
      y[i] = r.nextDouble() < p[i] * 0.8 + 0.1 ? 1 : 0;
      region[i] = i % 10 == 0 ? "tiny" + (i % 20) : (i % 2 == 0 ? "north" : "south");
    }
    return new Binary(y, p, region);
  }

  /** A binary model's predictions with a {@code region} column to slice by. */
  static StructType binarySchema() {
    return new StructType()
        .add(Columns.LABEL, DataTypes.DoubleType)
        .add(Columns.PROBABILITY, SQLDataTypes.VectorType())
        .add(Columns.PREDICTION, DataTypes.DoubleType)
        .add("region", DataTypes.StringType);
  }

  private Dataset<Row> binaryFrame(Binary b, double threshold) {
    StructType schema = binarySchema();
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < b.y.length; i++) {
      rows.add(RowFactory.create(b.y[i], Vectors.dense(1 - b.p[i], b.p[i]), b.p[i] > threshold ? 1.0 : 0.0, b.region[i]));
    }
    return spark.createDataFrame(rows, schema).cache();
  }

  private static EvaluateConfig config(List<String> slices, int minSliceRows, int replicates) {
    return new EvaluateConfig(null, null, null, slices, minSliceRows, null,
        new EvaluateConfig.BootstrapConfig(replicates, 0.9, 100_000, 11L));
  }

  @Test
  void binaryMetricsMatchAnIndependentComputation() {
    Binary b = binaryRows(600, 1);
    int n = b.y.length;
    double t = 0.4;
    HoldoutEvaluator.Evaluation e = HoldoutEvaluator.evaluate(binaryFrame(b, t), Task.BINARY, t, "fixed",
        config(List.of("region"), 40, 100));
    Map<String, Double> m = e.metrics();

    // AUC: the share of (positive, negative) pairs ranked correctly, ties one half.
    double pairs = 0;
    double correct = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        if (b.y[i] == 1 && b.y[j] == 0) {
          pairs++;
          correct += b.p[i] > b.p[j] ? 1 : b.p[i] == b.p[j] ? 0.5 : 0;
        }
      }
    }
    assertThat(m.get("auc_roc")).isCloseTo(correct / pairs, within(TOL));
    double logLoss = 0;
    double brier = 0;
    long tp = 0, fp = 0, tn = 0, fn = 0;
    for (int i = 0; i < n; i++) {
      logLoss -= b.y[i] * Math.log(b.p[i]) + (1 - b.y[i]) * Math.log(1 - b.p[i]);
      brier += (b.p[i] - b.y[i]) * (b.p[i] - b.y[i]);
      boolean predicted = b.p[i] > t;
      if (predicted && b.y[i] == 1) tp++;
      else if (predicted) fp++;
      else if (b.y[i] == 0) tn++;
      else fn++;
    }
    assertThat(m.get("log_loss")).isCloseTo(logLoss / n, within(1e-9));
    assertThat(m.get("brier")).isCloseTo(brier / n, within(TOL));
    double precision = (double) tp / (tp + fp);
    double recall = (double) tp / (tp + fn);
    assertThat(e.binary().confusion()).isEqualTo(new EvaluationReport.ConfusionMatrix(tp, fp, tn, fn));
    assertThat(m.get("accuracy")).isCloseTo((double) (tp + tn) / n, within(TOL));
    assertThat(m.get("precision")).isCloseTo(precision, within(TOL));
    assertThat(m.get("recall")).isCloseTo(recall, within(TOL));
    assertThat(m.get("f1")).isCloseTo(2 * precision * recall / (precision + recall), within(TOL));

    // KS: the largest gap between the positives' and negatives' score distributions.
    double[] sorted = b.p.clone();
    Arrays.sort(sorted);
    double pos = Arrays.stream(b.y).sum();
    double ks = 0;
    for (double cut : sorted) {
      double tpr = 0, fpr = 0;
      for (int i = 0; i < n; i++) {
        if (b.p[i] >= cut) {
          if (b.y[i] == 1) tpr++;
          else fpr++;
        }
      }
      ks = Math.max(ks, tpr / pos - fpr / (n - pos));
    }
    assertThat(m.get("ks")).isCloseTo(ks, within(TOL));

    // Deciles: ten bins of n/10 rows; each bin's statistics recomputed from its score range.
    List<CalibrationBin> cal = e.binary().calibration();
    assertThat(cal).hasSize(10).allMatch(c -> c.rows() == n / 10);
    for (CalibrationBin c : cal) {
      double sumP = 0, sumY = 0, rows = 0;
      for (int i = 0; i < n; i++) {
        if (b.p[i] >= c.lower() && b.p[i] <= c.upper()) {
          sumP += b.p[i];
          sumY += b.y[i];
          rows++;
        }
      }
      assertThat(rows).isEqualTo(c.rows());
      assertThat(c.meanPredicted()).isCloseTo(sumP / rows, within(TOL));
      assertThat(c.observedRate()).isCloseTo(sumY / rows, within(TOL));
    }
    List<LiftBin> lift = e.binary().lift();
    assertThat(lift).hasSize(10);
    assertThat(lift.get(0).rate()).isCloseTo(cal.get(9).observedRate(), within(TOL));
    assertThat(lift.get(0).lift()).isCloseTo(cal.get(9).observedRate() / (pos / n), within(TOL));
    assertThat(lift.get(9).cumulativeGain()).isCloseTo(1.0, within(TOL));
    assertThat(lift.get(0).lift()).isGreaterThan(1.0);  // an informative model puts positives on top

    // Curves end where every curve ends; the interval brackets the estimate.
    assertThat(e.binary().roc().get(e.binary().roc().size() - 1)).isEqualTo(new EvaluationReport.Point(1.0, 1.0));
    assertThat(e.interval().lower()).isLessThan(m.get("auc_roc"));
    assertThat(e.interval().upper()).isGreaterThan(m.get("auc_roc"));
    assertThat(e.interval().upper() - e.interval().lower()).isLessThan(0.2);

    // Slices: counts add up, tiny ones are flagged, per-slice Brier recomputed.
    assertThat(e.slices().stream().mapToLong(Slice::rows).sum()).isEqualTo(n);
    Slice north = e.slices().stream().filter(s -> s.value().equals("north")).findFirst().orElseThrow();
    double northBrier = 0;
    int northRows = 0;
    for (int i = 0; i < n; i++) {
      if (b.region[i].equals("north")) {
        northBrier += (b.p[i] - b.y[i]) * (b.p[i] - b.y[i]);
        northRows++;
      }
    }
    assertThat(north.rows()).isEqualTo(northRows);
    assertThat(north.tiny()).isFalse();
    assertThat(north.metrics().get("brier")).isCloseTo(northBrier / northRows, within(TOL));
    assertThat(north.metrics()).containsKey("auc_roc");
    assertThat(e.slices()).filteredOn(s -> s.value().startsWith("tiny")).isNotEmpty()
        .allMatch(Slice::tiny).allMatch(s -> !s.metrics().containsKey("auc_roc"));
  }

  @Test
  void maxF1ThresholdIsTheBestF1OverEveryCut() {
    Binary b = binaryRows(300, 2);
    double chosen = HoldoutEvaluator.maxF1Threshold(binaryFrame(b, 0.5));
    double best = -1;
    for (double cut : b.p) {
      best = Math.max(best, f1(b, cut));
    }
    assertThat(f1(b, chosen)).isCloseTo(best, within(TOL));
  }

  /** F1 when rows scoring above {@code t} are predicted positive, as the model predicts. */
  private static double f1(Binary b, double t) {
    double tp = 0, fp = 0, fn = 0;
    for (int i = 0; i < b.y.length; i++) {
      boolean predicted = b.p[i] > t;
      if (predicted && b.y[i] == 1) tp++;
      else if (predicted) fp++;
      else if (b.y[i] == 1) fn++;
    }
    return tp == 0 ? 0 : 2 * tp / (2 * tp + fp + fn);
  }

  @Test
  void regressionMetricsMatchTextbookFormulas() {
    Random r = new Random(3);
    int n = 400;
    List<Row> rows = new ArrayList<>();
    double[] y = new double[n];
    double[] f = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 40 == 0 ? 0.0 : 5 + 3 * r.nextGaussian();
      f[i] = y[i] + r.nextGaussian();
      rows.add(RowFactory.create(y[i], f[i]));
    }
    StructType schema = new StructType().add(Columns.LABEL, DataTypes.DoubleType).add(Columns.PREDICTION, DataTypes.DoubleType);
    HoldoutEvaluator.Evaluation e = HoldoutEvaluator.evaluate(spark.createDataFrame(rows, schema), Task.REGRESSION, 0.5,
        "fixed", config(List.of(), 1, 50));
    double sse = 0, sae = 0, mean = Arrays.stream(y).average().orElseThrow(), sst = 0, ape = 0;
    int defined = 0;
    for (int i = 0; i < n; i++) {
      sse += (y[i] - f[i]) * (y[i] - f[i]);
      sae += Math.abs(y[i] - f[i]);
      sst += (y[i] - mean) * (y[i] - mean);
      if (y[i] != 0) {
        ape += Math.abs((y[i] - f[i]) / y[i]);
        defined++;
      }
    }
    assertThat(e.metrics().get("rmse")).isCloseTo(Math.sqrt(sse / n), within(TOL));
    assertThat(e.metrics().get("mae")).isCloseTo(sae / n, within(TOL));
    assertThat(e.metrics().get("r2")).isCloseTo(1 - sse / sst, within(TOL));
    assertThat(e.metrics().get("mape")).isCloseTo(ape / defined, within(TOL));
    assertThat(e.regression().mapeExcludedRows()).isEqualTo(n - defined);
    double[] residuals = new double[n];
    for (int i = 0; i < n; i++) {
      residuals[i] = y[i] - f[i];
    }
    Arrays.sort(residuals);
    double median = e.regression().residualQuantiles().get("0.5");
    assertThat(median).isBetween(residuals[n / 2 - 3], residuals[n / 2 + 3]);
    assertThat(e.interval().lower()).isLessThan(e.metrics().get("rmse")).isGreaterThan(0.5);
  }

  @Test
  void multiclassMetricsMatchAnIndependentComputation() {
    Random r = new Random(4);
    int n = 300;
    int k = 3;
    StructType schema = new StructType()
        .add(Columns.LABEL, DataTypes.DoubleType)
        .add(Columns.PROBABILITY, SQLDataTypes.VectorType())
        .add(Columns.PREDICTION, DataTypes.DoubleType);
    List<Row> rows = new ArrayList<>();
    double[] y = new double[n];
    double[] pred = new double[n];
    double logLoss = 0;
    for (int i = 0; i < n; i++) {
      y[i] = r.nextInt(k);
      double[] p = new double[k];
      double total = 0;
      for (int c = 0; c < k; c++) {
        p[c] = r.nextDouble() + (c == y[i] ? 0.8 : 0);
        total += p[c];
      }
      int best = 0;
      for (int c = 0; c < k; c++) {
        p[c] /= total;
        best = p[c] > p[best] ? c : best;
      }
      pred[i] = best;
      logLoss -= Math.log(p[(int) y[i]]);
      rows.add(RowFactory.create(y[i], Vectors.dense(p), pred[i]));
    }
    HoldoutEvaluator.Evaluation e = HoldoutEvaluator.evaluate(spark.createDataFrame(rows, schema), Task.MULTICLASS, 0.5,
        "fixed", config(List.of(), 1, 50));
    double hits = 0;
    double weightedF1 = 0;
    for (int c = 0; c < k; c++) {
      double tp = 0, predicted = 0, actual = 0;
      for (int i = 0; i < n; i++) {
        tp += pred[i] == c && y[i] == c ? 1 : 0;
        predicted += pred[i] == c ? 1 : 0;
        actual += y[i] == c ? 1 : 0;
      }
      hits += tp;
      double precision = tp / predicted;
      double recall = tp / actual;
      weightedF1 += actual / n * 2 * precision * recall / (precision + recall);
      EvaluationReport.ClassMetrics cm = e.multiclass().classes().get(c);
      assertThat(cm.label()).isEqualTo(c);
      assertThat(cm.rows()).isEqualTo((long) actual);
      assertThat(cm.precision()).isCloseTo(precision, within(TOL));
      assertThat(cm.recall()).isCloseTo(recall, within(TOL));
    }
    assertThat(e.metrics().get("accuracy")).isCloseTo(hits / n, within(TOL));
    assertThat(e.metrics().get("weighted_f1")).isCloseTo(weightedF1, within(TOL));
    assertThat(e.metrics().get("log_loss")).isCloseTo(logLoss / n, within(1e-9));
  }

  @Test
  void bootstrapAucAgreesWithThePairwiseDefinition() {
    Binary b = binaryRows(200, 5);
    int[] ones = new int[200];
    Arrays.fill(ones, 1);
    double viaRanks = Bootstrap.auc(b.p, b.y, Bootstrap.order(b.p), ones);
    double pairs = 0, correct = 0;
    for (int i = 0; i < 200; i++) {
      for (int j = 0; j < 200; j++) {
        if (b.y[i] == 1 && b.y[j] == 0) {
          pairs++;
          correct += b.p[i] > b.p[j] ? 1 : b.p[i] == b.p[j] ? 0.5 : 0;
        }
      }
    }
    assertThat(viaRanks).isCloseTo(correct / pairs, within(TOL));
  }
}
