package dev.glmpipe.evaluate;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.sqrt;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.glmpipe.Columns;
import dev.glmpipe.Sql;
import dev.glmpipe.config.EvaluateConfig;
import dev.glmpipe.evaluate.EvaluationReport.BinaryDetails;
import dev.glmpipe.evaluate.EvaluationReport.CalibrationBin;
import dev.glmpipe.evaluate.EvaluationReport.ClassMetrics;
import dev.glmpipe.evaluate.EvaluationReport.ConfidenceInterval;
import dev.glmpipe.evaluate.EvaluationReport.ConfusionMatrix;
import dev.glmpipe.evaluate.EvaluationReport.LiftBin;
import dev.glmpipe.evaluate.EvaluationReport.MulticlassDetails;
import dev.glmpipe.evaluate.EvaluationReport.Point;
import dev.glmpipe.evaluate.EvaluationReport.RegressionDetails;
import dev.glmpipe.evaluate.EvaluationReport.Slice;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.mllib.evaluation.BinaryClassificationMetrics;
import org.apache.spark.mllib.evaluation.MulticlassMetrics;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * Holdout metrics of one model's predictions. MLlib computes what it can (AUCs,
 * log loss, accuracy, weighted F1, per-class precision and recall, RMSE/MAE/R², the ROC and PR
 * curves and F1 by threshold); the rest (Brier, the confusion matrix at the operating threshold,
 * deciles, MAPE, slices) are one aggregation each over the same rows.
 *
 * <p>{@code predictions} carry {@link Columns#LABEL} and the model's output columns; the
 * caller caches them, since every metric is a pass over them.
 */
public final class HoldoutEvaluator {
  /** Curves are downsampled to at most this many points for the report. */
  static final int CURVE_POINTS = 200;
  /** MLlib's curve binning: exact below this many distinct scores, binned above. */
  static final int CURVE_BINS = 1000;
  /** Log loss clips probabilities like MLlib does. */
  static final double EPS = 1e-15;
  static final int MAX_SLICE_VALUES = 50;
  static final double[] RESIDUAL_QUANTILES = {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99};

  /** The headline metric per task: the one the bootstrap interval is for. */
  public static String headline(Task task) {
    return switch (task) {
      case BINARY -> "auc_roc";
      case MULTICLASS -> "accuracy";
      case REGRESSION -> "rmse";
    };
  }

  /** Everything evaluate computes for one model on the holdout. */
  public record Evaluation(Task task, long rows, Map<String, Double> metrics, ConfidenceInterval interval,
      BinaryDetails binary, RegressionDetails regression, MulticlassDetails multiclass, List<Slice> slices) {}

  private HoldoutEvaluator() {}

  /** The flat metrics only (for the champion on the candidate's holdout). */
  public static Map<String, Double> metrics(Dataset<Row> predictions, Task task, double threshold) {
    return switch (task) {
      case BINARY -> binaryMetrics(predictions, threshold).metrics;
      case MULTICLASS -> multiclassMetrics(predictions, 0).metrics;
      case REGRESSION -> regressionMetrics(predictions).metrics;
    };
  }

  public static Evaluation evaluate(Dataset<Row> predictions, Task task, double threshold, String thresholdMode,
      EvaluateConfig config) {
    List<Slice> slices = new ArrayList<>();
    for (String column : config.slicesOrEmpty()) {
      slices.addAll(slices(predictions, task, threshold, column, config.minSliceRows()));
    }
    ConfidenceInterval interval;
    switch (task) {
      case BINARY -> {
        Binary b = binaryMetrics(predictions, threshold);
        interval = bootstrap(predictions, b.rows, task, b.metrics.get("auc_roc"), config.bootstrap());
        List<Row> deciles = decileRows(predictions, b.rows);
        BinaryDetails details = new BinaryDetails(threshold, thresholdMode, b.confusion, downsample(b.roc),
            downsample(b.pr), calibration(deciles), lift(deciles));
        return new Evaluation(task, b.rows, b.metrics, interval, details, null, null, slices);
      }
      case MULTICLASS -> {
        Multiclass m = multiclassMetrics(predictions, Integer.MAX_VALUE);
        interval = bootstrap(predictions, m.rows, task, m.metrics.get("accuracy"), config.bootstrap());
        return new Evaluation(task, m.rows, m.metrics, interval, null, null, new MulticlassDetails(m.classes), slices);
      }
      default -> {
        Regression r = regressionMetrics(predictions);
        interval = bootstrap(predictions, r.rows, task, r.metrics.get("rmse"), config.bootstrap());
        return new Evaluation(task, r.rows, r.metrics, interval, null, r.details, null, slices);
      }
    }
  }

  /** P(class 1) of a binary classifier's probability vector. */
  public static Column score() {
    return org.apache.spark.ml.functions.vector_to_array(col(Columns.PROBABILITY), "float64").getItem(1);
  }

  // ---- binary ----

  /** {@code roc} and {@code pr}: MLlib's full curves, (fpr, tpr) and (recall, precision). */
  private record Binary(long rows, Map<String, Double> metrics, ConfusionMatrix confusion,
      List<Tuple2<Object, Object>> roc, List<Tuple2<Object, Object>> pr) {}

  private static Binary binaryMetrics(Dataset<Row> predictions, double threshold) {
    Column s = score();
    Column y = col(Columns.LABEL);
    Column predictedPositive = s.gt(threshold);
    Column actualPositive = y.equalTo(1.0);
    Row agg = predictions.agg(
        count(lit(1)),
        avg(pow(s.minus(y), 2)),
        sum(when(predictedPositive.and(actualPositive), 1L).otherwise(0L)),
        sum(when(predictedPositive.and(actualPositive.unary_$bang()), 1L).otherwise(0L)),
        sum(when(predictedPositive.unary_$bang().and(actualPositive.unary_$bang()), 1L).otherwise(0L)),
        sum(when(predictedPositive.unary_$bang().and(actualPositive), 1L).otherwise(0L))).first();
    long rows = agg.getLong(0);
    ConfusionMatrix cm = new ConfusionMatrix(agg.getLong(2), agg.getLong(3), agg.getLong(4), agg.getLong(5));
    Map<String, Double> m = new LinkedHashMap<>();
    // One sort of the scores serves both AUCs, KS and the curves (what BinaryClassificationEvaluator
    // would compute with a sort per metric).
    BinaryClassificationMetrics curves = curveMetrics(predictions);
    List<Tuple2<Object, Object>> roc;
    List<Tuple2<Object, Object>> pr;
    try {
      m.put("auc_roc", curves.areaUnderROC());
      m.put("auc_pr", curves.areaUnderPR());
      roc = curves.roc().toJavaRDD().collect();
      pr = curves.pr().toJavaRDD().collect();
    } finally {
      curves.unpersist();
    }
    m.put("log_loss", new MulticlassClassificationEvaluator().setLabelCol(Columns.LABEL)
        .setPredictionCol(Columns.PREDICTION).setProbabilityCol(Columns.PROBABILITY)
        .setMetricName("logLoss").evaluate(predictions));
    m.put("brier", agg.getDouble(1));
    double tp = cm.truePositives();
    double precision = tp + cm.falsePositives() == 0 ? 0.0 : tp / (tp + cm.falsePositives());
    double recall = tp + cm.falseNegatives() == 0 ? 0.0 : tp / (tp + cm.falseNegatives());
    m.put("accuracy", (tp + cm.trueNegatives()) / rows);
    m.put("precision", precision);
    m.put("recall", recall);
    m.put("f1", precision + recall == 0 ? 0.0 : 2 * precision * recall / (precision + recall));
    m.put("ks", ks(roc));
    return new Binary(rows, m, cm, roc, pr);
  }

  private static BinaryClassificationMetrics curveMetrics(Dataset<Row> predictions) {
    JavaRDD<Tuple2<Object, Object>> pairs = predictions.select(score(), col(Columns.LABEL)).javaRDD()
        .map(r -> new Tuple2<>(r.getDouble(0), r.getDouble(1)));
    return new BinaryClassificationMetrics(pairs.rdd(), CURVE_BINS);
  }

  /** Kolmogorov-Smirnov: the largest gap between true and false positive rates over thresholds. */
  private static double ks(List<Tuple2<Object, Object>> roc) {
    double best = 0;
    for (Tuple2<Object, Object> p : roc) {
      best = Math.max(best, (Double) p._2() - (Double) p._1());
    }
    return best;
  }

  /** A curve cut down to at most CURVE_POINTS points (and its last point). */
  private static List<Point> downsample(List<Tuple2<Object, Object>> all) {
    List<Point> out = new ArrayList<>();
    int step = Math.max(1, all.size() / CURVE_POINTS);
    for (int i = 0; i < all.size(); i += step) {
      out.add(new Point((Double) all.get(i)._1(), (Double) all.get(i)._2()));
    }
    Tuple2<Object, Object> last = all.get(all.size() - 1);
    if ((all.size() - 1) % step != 0) {
      out.add(new Point((Double) last._1(), (Double) last._2()));
    }
    return out;
  }

  /** The threshold with the best F1 on {@code predictions} (MLlib's F1 by threshold). */
  public static double maxF1Threshold(Dataset<Row> predictions) {
    double bestF1 = -1;
    double best = 0.5;
    BinaryClassificationMetrics curves = curveMetrics(predictions);
    List<Tuple2<Object, Object>> f1ByThreshold;
    try {
      f1ByThreshold = curves.fMeasureByThreshold().toJavaRDD().collect();
    } finally {
      curves.unpersist();
    }
    for (Tuple2<Object, Object> p : f1ByThreshold) {
      double f1 = (Double) p._2();
      if (f1 > bestF1) {
        bestF1 = f1;
        best = (Double) p._1();
      }
    }
    // MLlib counts a score equal to the threshold as positive; the model predicts positive above
    // it. The largest double below keeps the rows MLlib counted.
    return Math.nextDown(best);
  }

  /**
   * Decile of each row's score, 1 (lowest) to 10: one more than the number of the nine decile
   * cut points it exceeds. Exact quantiles up to a million rows, 1e-4 relative error beyond.
   */
  private static Column decile(Dataset<Row> predictions, long rows) {
    double[] probs = new double[9];
    for (int k = 1; k <= 9; k++) {
      probs[k - 1] = k / 10.0;
    }
    double[] cuts = predictions.select(score().as("__s")).stat().approxQuantile("__s", probs, rows <= 1_000_000 ? 0.0 : 1e-4);
    Column d = lit(1);
    for (double c : cuts) {
      d = d.plus(when(score().gt(c), 1).otherwise(0));
    }
    return d;
  }

  private static List<Row> decileRows(Dataset<Row> predictions, long rows) {
    Column s = score();
    return predictions.groupBy(decile(predictions, rows).as("d"))
        .agg(count(lit(1)), avg(s), avg(col(Columns.LABEL)), min(s), max(s),
            sum(col(Columns.LABEL)))
        .orderBy("d").collectAsList();
  }

  private static List<CalibrationBin> calibration(List<Row> deciles) {
    List<CalibrationBin> out = new ArrayList<>();
    for (Row r : deciles) {
      out.add(new CalibrationBin(r.getInt(0), r.getDouble(4), r.getDouble(5), r.getLong(1), r.getDouble(2), r.getDouble(3)));
    }
    return out;
  }

  private static List<LiftBin> lift(List<Row> deciles) {
    List<Row> bins = new ArrayList<>(deciles);
    java.util.Collections.reverse(bins);
    double totalPositives = bins.stream().mapToDouble(r -> r.getDouble(6)).sum();
    long totalRows = bins.stream().mapToLong(r -> r.getLong(1)).sum();
    double overallRate = totalPositives / totalRows;
    List<LiftBin> out = new ArrayList<>();
    double cumulative = 0;
    for (int i = 0; i < bins.size(); i++) {
      Row r = bins.get(i);
      long n = r.getLong(1);
      long positives = Math.round(r.getDouble(6));
      cumulative += positives;
      double rate = (double) positives / n;
      out.add(new LiftBin(i + 1, n, positives, rate, overallRate == 0 ? Double.NaN : rate / overallRate,
          totalPositives == 0 ? Double.NaN : cumulative / totalPositives));
    }
    return out;
  }

  // ---- multiclass ----

  private record Multiclass(long rows, Map<String, Double> metrics, List<ClassMetrics> classes) {}

  private static Multiclass multiclassMetrics(Dataset<Row> predictions, int maxClasses) {
    // One confusion matrix (what MulticlassClassificationEvaluator builds anew for each metric)
    // serves accuracy, weighted F1 and every class's precision and recall; log loss needs the
    // probabilities, so it stays with the evaluator.
    JavaRDD<Tuple2<Object, Object>> pairs = predictions.select(col(Columns.PREDICTION), col(Columns.LABEL))
        .javaRDD().map(r -> new Tuple2<>(r.getDouble(0), r.getDouble(1)));
    MulticlassMetrics confusion = new MulticlassMetrics(pairs.rdd());
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("accuracy", confusion.accuracy());
    m.put("weighted_f1", confusion.weightedFMeasure());
    m.put("log_loss", new MulticlassClassificationEvaluator().setLabelCol(Columns.LABEL)
        .setPredictionCol(Columns.PREDICTION).setProbabilityCol(Columns.PROBABILITY)
        .setMetricName("logLoss").evaluate(predictions));
    List<ClassMetrics> classes = new ArrayList<>();
    long rows = 0;
    List<Row> counts = predictions.groupBy(col(Columns.LABEL)).count().orderBy(Columns.LABEL).collectAsList();
    for (Row r : counts) {
      rows += r.getLong(1);
    }
    for (Row r : counts.subList(0, Math.min(maxClasses, counts.size()))) {
      double label = r.getDouble(0);
      classes.add(new ClassMetrics(label, r.getLong(1), confusion.precision(label), confusion.recall(label)));
    }
    return new Multiclass(rows, m, classes);
  }

  // ---- regression ----

  private record Regression(long rows, Map<String, Double> metrics, RegressionDetails details) {}

  private static Regression regressionMetrics(Dataset<Row> predictions) {
    RegressionEvaluator e = new RegressionEvaluator().setLabelCol(Columns.LABEL).setPredictionCol(Columns.PREDICTION);
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("rmse", e.setMetricName("rmse").evaluate(predictions));
    m.put("mae", e.setMetricName("mae").evaluate(predictions));
    m.put("r2", e.setMetricName("r2").evaluate(predictions));
    Column y = col(Columns.LABEL);
    Column residual = y.minus(col(Columns.PREDICTION));
    Row agg = predictions.agg(count(lit(1)), avg(when(y.notEqual(0.0), abs(residual.divide(y)))),
        sum(when(y.equalTo(0.0), 1L).otherwise(0L))).first();
    if (!agg.isNullAt(1)) {
      m.put("mape", agg.getDouble(1));  // undefined when every label is 0
    }
    double[] q = predictions.select(residual.as("__r")).stat().approxQuantile("__r", RESIDUAL_QUANTILES, 1e-4);
    Map<String, Double> quantiles = new LinkedHashMap<>();
    for (int i = 0; i < q.length; i++) {
      quantiles.put(Double.toString(RESIDUAL_QUANTILES[i]), q[i]);
    }
    return new Regression(agg.getLong(0), m, new RegressionDetails(agg.getLong(2), quantiles));
  }

  // ---- bootstrap ----

  private static ConfidenceInterval bootstrap(Dataset<Row> predictions, long rows, Task task, double estimate,
      EvaluateConfig.BootstrapConfig config) {
    if (config.replicates() == 0) {
      return null;
    }
    Dataset<Row> sample = rows <= config.maxRows() ? predictions
        : predictions.sample(false, Math.min(1.0, 1.2 * config.maxRows() / rows), config.seed()).limit(config.maxRows());
    Column value = task == Task.BINARY ? score() : col(Columns.PREDICTION);
    List<Row> collected = sample.select(value, col(Columns.LABEL)).collectAsList();
    int n = collected.size();
    double[] v = new double[n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = collected.get(i).getDouble(0);
      y[i] = collected.get(i).getDouble(1);
    }
    Bootstrap.Statistic statistic = switch (task) {
      case BINARY -> {
        int[] order = Bootstrap.order(v);
        yield w -> Bootstrap.auc(v, y, order, w);
      }
      case MULTICLASS -> w -> {
        double hit = 0;
        double all = 0;
        for (int i = 0; i < n; i++) {
          hit += v[i] == y[i] ? w[i] : 0;
          all += w[i];
        }
        return hit / all;
      };
      case REGRESSION -> w -> {
        double sq = 0;
        double all = 0;
        for (int i = 0; i < n; i++) {
          sq += w[i] * (y[i] - v[i]) * (y[i] - v[i]);
          all += w[i];
        }
        return Math.sqrt(sq / all);
      };
    };
    double[] ci = Bootstrap.interval(n, statistic, config.replicates(), config.confidence(), config.seed());
    return new ConfidenceInterval(headline(task), estimate, ci[0], ci[1], config.confidence(), config.replicates(), n);
  }

  // ---- slices ----

  private static List<Slice> slices(Dataset<Row> predictions, Task task, double threshold, String column, int minRows) {
    Column value = coalesce(Sql.column(column).cast("string"), lit("(null)"));
    Column y = col(Columns.LABEL);
    List<Column> aggs = new ArrayList<>();
    List<String> names = new ArrayList<>();
    switch (task) {
      case BINARY -> {
        Column s = score();
        Column p = least(greatest(s, lit(EPS)), lit(1 - EPS));
        aggs.add(avg(y)); names.add("observed_rate");
        aggs.add(avg(s)); names.add("mean_predicted");
        aggs.add(avg(pow(s.minus(y), 2))); names.add("brier");
        aggs.add(avg(y.multiply(log(p)).plus(lit(1).minus(y).multiply(log(lit(1).minus(p)))).multiply(-1))); names.add("log_loss");
        aggs.add(avg(when(s.gt(threshold).equalTo(y.equalTo(1.0)), 1.0).otherwise(0.0))); names.add("accuracy");
      }
      case MULTICLASS -> {
        aggs.add(avg(when(col(Columns.PREDICTION).equalTo(y), 1.0).otherwise(0.0))); names.add("accuracy");
      }
      case REGRESSION -> {
        Column r = y.minus(col(Columns.PREDICTION));
        aggs.add(sqrt(avg(pow(r, 2)))); names.add("rmse");
        aggs.add(avg(abs(r))); names.add("mae");
      }
    }
    aggs.add(sum(y)); names.add("__positives");
    List<Row> rows = predictions.groupBy(value.as("__slice"))
        .agg(count(lit(1)).as("__rows"), aggs.toArray(Column[]::new))
        .orderBy(col("__rows").desc(), col("__slice")).limit(MAX_SLICE_VALUES).collectAsList();
    List<Slice> out = new ArrayList<>();
    for (Row r : rows) {
      long n = r.getLong(1);
      Map<String, Double> m = new LinkedHashMap<>();
      for (int i = 0; i < names.size() - 1; i++) {
        m.put(names.get(i), r.isNullAt(2 + i) ? null : r.getDouble(2 + i));
      }
      double positives = r.getDouble(2 + names.size() - 1);
      boolean tiny = n < minRows;
      if (task == Task.BINARY && !tiny && positives > 0 && positives < n) {
        m.put("auc_roc", new BinaryClassificationEvaluator().setLabelCol(Columns.LABEL)
            .setRawPredictionCol(Columns.PROBABILITY)
            .evaluate(predictions.where(value.equalTo(r.getString(0)))));
      }
      out.add(new Slice(column, r.getString(0), n, tiny, m));
    }
    return out;
  }
}
