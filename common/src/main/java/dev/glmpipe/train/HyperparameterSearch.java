package dev.glmpipe.train;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

import dev.glmpipe.Columns;
import dev.glmpipe.Sql;
import dev.glmpipe.config.ConfigValidator;
import dev.glmpipe.config.ModelConfig;
import dev.glmpipe.config.TrainConfig.TuningConfig;
import dev.glmpipe.config.TrainConfig.TuningMethod;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.Evaluator;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Grid search over the estimator's parameters on the assembled training matrix (the feature
 * stages are fitted once, on all training rows, and shared by every candidate).
 *
 * <p>{@code cross_validation}: k folds; {@code train_validation}: one split. A row's fold comes
 * from hashing the key columns into {@link #FOLD_BUCKETS} buckets, like the holdout split: the
 * same rows land in the same fold on every rerun and when data is added, which MLlib's
 * CrossValidator (random folds) and TrainValidationSplit (randomSplit) do not promise. As in
 * CrossValidator, {@code parallelism} candidates are fitted at a time.
 */
public final class HyperparameterSearch {
  /** The fold bucket column added to the assembled matrix while tuning. */
  public static final String FOLD = "__fold";
  static final int FOLD_BUCKETS = 10_000;

  private HyperparameterSearch() {}

  /** The fold bucket of each row, from its key columns (salted: independent of the holdout hash). */
  public static Column foldBucket(List<String> keyColumns) {
    List<Column> cols = new ArrayList<>();
    cols.add(lit("glmpipe-tuning-folds"));
    keyColumns.forEach(c -> cols.add(Sql.column(c)));
    return pmod(xxhash64(cols.toArray(Column[]::new)), lit((long) FOLD_BUCKETS));
  }

  /**
   * @param assembled the training matrix with a {@link #FOLD} column
   * @param fitter fits one candidate's model config on a part of the matrix
   * @param multiclass true for a logistic label with more than two classes
   */
  public static Tuning run(Dataset<Row> assembled, TuningConfig tuning, ModelConfig base, boolean multiclass,
      BiFunction<Dataset<Row>, ModelConfig, Transformer> fitter) {
    String metric = tuning.metric() != null ? tuning.metric() : ConfigValidator.TUNING_METRICS.get(base.type()).get(0);
    Evaluator evaluator = evaluator(metric, multiclass);
    List<Map<String, Double>> grid = candidates(tuning.grid());
    int splits = tuning.method() == TuningMethod.CROSS_VALIDATION ? tuning.folds() : 1;
    double[][] metrics = new double[grid.size()][splits];
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(tuning.parallelism(), grid.size()));
    try {
      for (int s = 0; s < splits; s++) {
        Column validation = tuning.method() == TuningMethod.CROSS_VALIDATION
            ? pmod(col(FOLD), lit(splits)).equalTo(lit(s))
            : col(FOLD).lt(lit(Math.round(tuning.validationFraction() * FOLD_BUCKETS)));
        Dataset<Row> train = assembled.where(validation.unary_$bang());
        Dataset<Row> check = assembled.where(validation);
        List<Future<Double>> pending = new ArrayList<>();
        for (Map<String, Double> params : grid) {
          ModelConfig candidate = withParams(base, params);
          pending.add(pool.submit(() -> evaluator.evaluate(fitter.apply(train, candidate).transform(check))));
        }
        for (int i = 0; i < grid.size(); i++) {
          metrics[i][s] = pending.get(i).get();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while tuning", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
    List<Tuning.Candidate> candidates = new ArrayList<>();
    int best = -1;
    double bestMetric = Double.NaN;
    boolean larger = evaluator.isLargerBetter();
    for (int i = 0; i < grid.size(); i++) {
      double mean = 0;
      List<Double> folds = new ArrayList<>();
      for (double v : metrics[i]) {
        mean += v / splits;
        folds.add(v);
      }
      candidates.add(new Tuning.Candidate(grid.get(i), mean, folds));
      // The first of equal candidates wins, so the grid's order breaks ties the same way every run.
      if (!Double.isNaN(mean) && (best < 0 || (larger ? mean > bestMetric : mean < bestMetric))) {
        best = i;
        bestMetric = mean;
      }
    }
    if (best < 0) {
      throw new IllegalStateException("no tuning candidate produced a finite " + metric);
    }
    return new Tuning(tuning.method().name().toLowerCase(Locale.ROOT), metric, larger, splits,
        tuning.grid(), candidates, grid.get(best));
  }

  /** Every combination of the grid's values, the first key varying slowest. */
  static List<Map<String, Double>> candidates(Map<String, List<Double>> grid) {
    List<Map<String, Double>> out = new ArrayList<>();
    out.add(new LinkedHashMap<>());
    for (Map.Entry<String, List<Double>> e : grid.entrySet()) {
      List<Map<String, Double>> next = new ArrayList<>();
      for (Map<String, Double> partial : out) {
        for (Double v : e.getValue()) {
          Map<String, Double> m = new LinkedHashMap<>(partial);
          m.put(e.getKey(), v);
          next.add(m);
        }
      }
      out = next;
    }
    return out;
  }

  /** {@code base} with the grid point's values. */
  public static ModelConfig withParams(ModelConfig base, Map<String, Double> params) {
    double regParam = params.getOrDefault("reg_param", base.regParam());
    double elasticNet = params.getOrDefault("elastic_net_param", base.elasticNetParam());
    int maxIter = params.containsKey("max_iter") ? (int) Math.round(params.get("max_iter")) : base.maxIter();
    double tol = params.getOrDefault("tol", base.tol());
    ModelConfig.SgdConfig s = base.sgd();
    // The sgd iteration limit and tolerance follow max_iter and tol when the grid varies them.
    ModelConfig.SgdConfig sgd = new ModelConfig.SgdConfig(params.getOrDefault("step_size", s.stepSize()),
        params.getOrDefault("mini_batch_fraction", s.miniBatchFraction()),
        params.containsKey("max_iter") ? Integer.valueOf(maxIter) : s.iterations(),
        params.containsKey("tol") ? Double.valueOf(tol) : s.convergenceTol());
    return new ModelConfig(base.name(), base.type(), maxIter, regParam, elasticNet, tol, base.fitIntercept(),
        base.standardization(), base.threshold(), base.family(), base.solver(), sgd, base.classWeight(),
        base.aggregationDepth());
  }

  private static Evaluator evaluator(String metric, boolean multiclass) {
    return switch (metric) {
      case "log_loss" -> multiclass("logLoss");
      case "accuracy" -> multiclass("accuracy");
      case "f1" -> multiclass("f1");
      case "auc_roc", "auc_pr" -> {
        if (multiclass) {
          throw dev.glmpipe.GlmpipeException.usage("train.tuning.metric: " + metric
              + " needs a binary label; this one has more than two classes (use log_loss, accuracy or f1)");
        }
        yield new BinaryClassificationEvaluator().setLabelCol(Columns.LABEL)
            .setRawPredictionCol(Columns.PROBABILITY)
            .setMetricName(metric.equals("auc_roc") ? "areaUnderROC" : "areaUnderPR");
      }
      case "rmse", "mae", "r2" -> new RegressionEvaluator().setLabelCol(Columns.LABEL)
          .setPredictionCol(Columns.PREDICTION).setMetricName(metric);
      default -> throw new IllegalArgumentException("unknown tuning metric " + metric);
    };
  }

  private static Evaluator multiclass(String name) {
    return new MulticlassClassificationEvaluator().setLabelCol(Columns.LABEL)
        .setPredictionCol(Columns.PREDICTION).setProbabilityCol(Columns.PROBABILITY).setMetricName(name);
  }
}
