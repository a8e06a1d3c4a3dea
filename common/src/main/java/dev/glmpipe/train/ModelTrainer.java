package dev.glmpipe.train;

import dev.glmpipe.spark.FittedModels;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import dev.glmpipe.Columns;
import dev.glmpipe.GlmpipeException;
import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.config.ModelConfig;
import dev.glmpipe.config.ModelConfig.ModelType;
import dev.glmpipe.config.ModelConfig.Solver;
import dev.glmpipe.config.TrainConfig.TuningConfig;
import dev.glmpipe.features.FeaturePipeline;
import dev.glmpipe.features.FittedPlan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.ml.regression.LinearRegressionModel;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fits the feature pipeline and the configured linear model as one MLlib PipelineModel whose
 * last stage is a LogisticRegressionModel or LinearRegressionModel, whichever solver ran, so
 * evaluate, export and score never need to know.
 *
 * <p><b>Passes over the training rows</b> (storage is read twice, the matrix is kept once):
 * <ol>
 *   <li>{@link TrainingPass}: one Spark job scans the rows and computes every statistic the
 *       feature stages need (and the profile and split counts when the job asks), so the
 *       stages are built already fitted. A median imputation or quantile buckets add one
 *       aggregation for approximate quantiles, buckets of an imputed column with missing values
 *       one more ({@link dev.glmpipe.features.FeatureStatistics}); a level column with very many
 *       values adds a shuffle.
 *   <li>The training matrix (label, weight, feature vector) is assembled once, as the solver's
 *       first pass reads it, and kept ({@link #MATRIX_STORAGE}); every later pass reads that
 *       copy instead of re-reading storage and re-running the feature stages:
 *       <ul>
 *         <li>{@code auto} (MLlib L-BFGS/OWL-QN): MLlib's summary pass fills the copy; its
 *             blocking pass reads it into MLlib's own standardized blocks (cached in memory by
 *             MLlib); then one pass over those blocks per iteration. Our copy is on local disk,
 *             so memory holds the matrix once.
 *         <li>{@code normal}: one pass builds the normal equations; standard errors take one
 *             more (residuals) plus a count.
 *         <li>{@code sgd}: no cache of its own, so {@link MiniBatchSgd} keeps the matrix in
 *             memory instead of this copy; one pass for the moments, one per step.
 *         <li>tuning: each candidate × fold fits on a filtered view of the copy (kept in memory
 *             then, since it is read once per fit).
 *       </ul>
 * </ol>
 */
public final class ModelTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(ModelTrainer.class);

  /**
   * Where the assembled matrix is kept while MLlib's solvers build their own cache from it:
   * serialized on local disk, so the two do not both sit in memory.
   */
  static final StorageLevel MATRIX_STORAGE = StorageLevel.DISK_ONLY();
  /** Kept in memory while tuning, which reads it once per candidate and fold. */
  static final StorageLevel TUNING_STORAGE = StorageLevel.MEMORY_AND_DISK_SER();

  /**
   * The fitted pipeline and what the solver reported while fitting it.
   *
   * @param solver {@code l-bfgs}, {@code owl-qn}, {@code normal} or {@code sgd}
   * @param numClasses 2 for binomial, more for multinomial, 0 for linear models
   * @param classWeights the weight of each label value, when class weights are configured
   * @param coefficientStatistics normal equation inference, or null
   * @param tuning the grid search, or null
   */
  public record TrainedModel(PipelineModel pipeline, int iterations, double[] objectiveHistory, String solver,
      ConvergenceCheck.Convergence convergence, int numClasses, Map<String, Double> classWeights,
      List<CoefficientStatistic> coefficientStatistics, Tuning tuning, SolverLayout layout) {}

  /** One estimator fit on the assembled matrix. */
  private record Fit(Transformer model, double[] history, int iterations, Boolean stoppedEarly, String solver,
      boolean noisy) {}

  private final FeaturesConfig features;
  private final ModelConfig model;
  private final TuningConfig tuning;
  private final List<String> foldColumns;

  public ModelTrainer(FeaturesConfig features, ModelConfig model) {
    this(features, model, null, List.of());
  }

  /**
   * @param tuning a grid search, or null
   * @param foldColumns the columns whose hash assigns tuning folds (the dataset's key columns)
   */
  public ModelTrainer(FeaturesConfig features, ModelConfig model, TuningConfig tuning, List<String> foldColumns) {
    this.features = features;
    this.model = model;
    this.tuning = tuning;
    this.foldColumns = foldColumns;
  }

  /** Fits on {@code rows} (all of them train; they carry {@link Columns#LABEL}). */
  public TrainedModel fit(Dataset<Row> rows) {
    TrainingPass pass = TrainingPass.run(rows, lit(false), features, model.type() == ModelType.LOGISTIC, false);
    return fit(rows, pass);
  }

  /** Fits on the training rows, with the statistics the job's one pass already computed on them. */
  public TrainedModel fit(Dataset<Row> training, TrainingPass pass) {
    boolean logistic = model.type() == ModelType.LOGISTIC;
    int numClasses = logistic ? numClasses(pass.labelCounts()) : 0;
    Map<Double, Double> weights = logistic ? classWeights(pass.labelCounts(), numClasses) : Map.of();
    if (model.solver() == Solver.SGD && numClasses > 2) {
      throw GlmpipeException.usage("model.solver: sgd fits binomial logistic and linear models; the label has "
          + numClasses + " classes (use solver: auto)");
    }

    PipelineModel featureModel = FeaturePipeline.fitted(features, training.sparkSession(), training.schema(), pass.features());
    int width = FittedPlan.of(featureModel, features).slots().size();
    if (model.solver() == Solver.NORMAL && width > 4096) {
      throw GlmpipeException.usage("model.solver: normal solves at most 4096 features; this spec makes " + width
          + " (use solver: auto)");
    }
    List<Column> columns = new ArrayList<>(List.of(col(Columns.LABEL), col(FeaturePipeline.FEATURES)));
    if (!weights.isEmpty()) {
      columns.add(weightColumn(weights).as(TrainingFrames.WEIGHT));
    }
    if (tuning != null) {
      columns.add(HyperparameterSearch.foldBucket(foldColumns).as(HyperparameterSearch.FOLD));
    }
    Dataset<Row> assembled = featureModel.transform(training).select(columns.toArray(Column[]::new));
    long dims = (long) (width + 1) * (numClasses > 2 ? numClasses : 1);
    // Dataset.rdd() plans the query anew on every call: asked once.
    int inputPartitions = assembled.rdd().getNumPartitions();
    SolverLayout layout = SolverLayout.choose(inputPartitions,
        training.sparkSession().sparkContext().defaultParallelism(), pass.trainRows(), dims, model.aggregationDepth());
    if (layout.partitions() < inputPartitions) {
      assembled = assembled.coalesce(layout.partitions());
    }
    StorageLevel storage = tuning != null ? TUNING_STORAGE : model.solver() == Solver.SGD ? null : MATRIX_STORAGE;
    if (storage != null) {
      assembled = assembled.persist(storage);
    }
    try {
      FitContext ctx = new FitContext(logistic, numClasses, !weights.isEmpty(), layout.aggregationDepth());
      ModelConfig chosen = model;
      Tuning search = null;
      if (tuning != null) {
        search = HyperparameterSearch.run(assembled, tuning, model, numClasses > 2, (part, cfg) -> FittedModels.withoutSummary(fitEstimator(part, cfg, ctx).model()));
        chosen = HyperparameterSearch.withParams(model, search.best());
        LOG.info("tuning chose {} by {}", search.best(), search.metric());
      }
      Fit fit = fitEstimator(assembled, chosen, ctx);
      int maxIter = chosen.solver() == Solver.SGD ? chosen.sgd().iterations() : chosen.maxIter();
      ConvergenceCheck.Convergence convergence = fit.solver().equals("normal") && fit.history().length <= 1
          ? ConvergenceCheck.closedForm()
          : ConvergenceCheck.check(fit.history(), fit.iterations(), maxIter, fit.stoppedEarly(), fit.noisy());
      List<CoefficientStatistic> inference = fit.solver().equals("normal")
          ? coefficientStatistics((LinearRegressionModel) fit.model(), featureModel) : null;
      List<Transformer> stages = new ArrayList<>(Arrays.asList(featureModel.stages()));
      stages.add(FittedModels.withoutSummary(fit.model()));  // its summary was read above
      PipelineModel pipeline = new PipelineModel(Identifiable.randomUID("pipeline"), stages.toArray(Transformer[]::new));
      Map<String, Double> named = new TreeMap<>();
      weights.forEach((label, w) -> named.put(String.valueOf(label.intValue()), w));
      return new TrainedModel(pipeline, fit.iterations(), fit.history(), fit.solver(), convergence, numClasses,
          weights.isEmpty() ? null : named, inference, search, layout);
    } finally {
      if (storage != null) {
        assembled.unpersist(false);
      }
    }
  }

  private record FitContext(boolean logistic, int numClasses, boolean weighted, int aggregationDepth) {}

  private Fit fitEstimator(Dataset<Row> data, ModelConfig m, FitContext ctx) {
    if (m.solver() == Solver.SGD) {
      MiniBatchSgd.Result r = MiniBatchSgd.fit(data, FeaturePipeline.FEATURES, ctx.weighted() ? TrainingFrames.WEIGHT : null,
          ctx.logistic(), m, ctx.aggregationDepth());
      Transformer built = ctx.logistic() ? sgdLogistic(r, m) : sgdLinear(r);
      return new Fit(built, r.objectiveHistory(), r.iterations(), r.converged(), "sgd", m.sgd().miniBatchFraction() < 1.0);
    }
    boolean l1 = m.regParam() > 0 && m.elasticNetParam() > 0;
    if (ctx.logistic()) {
      LogisticRegression lr = new LogisticRegression()
          .setFeaturesCol(FeaturePipeline.FEATURES)
          .setLabelCol(Columns.LABEL)
          .setPredictionCol(Columns.PREDICTION)
          .setProbabilityCol(Columns.PROBABILITY)
          .setRawPredictionCol(Columns.RAW_PREDICTION)
          .setFamily(ctx.numClasses() > 2 ? "multinomial" : m.family() == ModelConfig.Family.MULTINOMIAL ? "multinomial" : "binomial")
          .setMaxIter(m.maxIter())
          .setRegParam(m.regParam())
          .setElasticNetParam(m.elasticNetParam())
          .setTol(m.tol())
          .setFitIntercept(m.fitIntercept())
          .setStandardization(m.standardization())
          .setAggregationDepth(ctx.aggregationDepth());
      if (ctx.numClasses() <= 2) {
        lr.setThreshold(m.threshold());
      }
      if (ctx.weighted()) {
        lr.setWeightCol(TrainingFrames.WEIGHT);
      }
      LogisticRegressionModel fitted = lr.fit(data);
      return new Fit(fitted, fitted.summary().objectiveHistory(), fitted.summary().totalIterations(), null,
          l1 ? "owl-qn" : "l-bfgs", false);
    }
    boolean normal = m.solver() == Solver.NORMAL;
    LinearRegression lin = new LinearRegression()
        .setFeaturesCol(FeaturePipeline.FEATURES)
        .setLabelCol(Columns.LABEL)
        .setPredictionCol(Columns.PREDICTION)
        .setSolver(normal ? "normal" : "l-bfgs")
        .setMaxIter(m.maxIter())
        .setRegParam(m.regParam())
        .setElasticNetParam(m.elasticNetParam())
        .setTol(m.tol())
        .setFitIntercept(m.fitIntercept())
        .setStandardization(m.standardization())
        .setAggregationDepth(ctx.aggregationDepth());
    if (ctx.weighted()) {
      lin.setWeightCol(TrainingFrames.WEIGHT);
    }
    LinearRegressionModel fitted = lin.fit(data);
    return new Fit(fitted, fitted.summary().objectiveHistory(), fitted.summary().totalIterations(), null,
        normal ? "normal" : l1 ? "owl-qn" : "l-bfgs", false);
  }

  /** An MLlib model with the SGD solution, and the estimator parameters MLlib's would carry. */
  private static LogisticRegressionModel sgdLogistic(MiniBatchSgd.Result r, ModelConfig m) {
    LogisticRegressionModel lr = new LogisticRegressionModel(Identifiable.randomUID("logreg"), Vectors.dense(r.coefficients()), r.intercept());
    lr.setFeaturesCol(FeaturePipeline.FEATURES).setPredictionCol(Columns.PREDICTION).setProbabilityCol(Columns.PROBABILITY)
        .setRawPredictionCol(Columns.RAW_PREDICTION).setThreshold(m.threshold());
    lr.set(lr.labelCol(), Columns.LABEL);
    lr.set(lr.family(), "binomial");
    lr.set(lr.maxIter(), m.sgd().iterations());
    lr.set(lr.regParam(), m.regParam());
    lr.set(lr.elasticNetParam(), m.elasticNetParam());
    lr.set(lr.tol(), m.sgd().convergenceTol());
    lr.set(lr.fitIntercept(), m.fitIntercept());
    lr.set(lr.standardization(), m.standardization());
    return lr;
  }

  private static LinearRegressionModel sgdLinear(MiniBatchSgd.Result r) {
    LinearRegressionModel lin = new LinearRegressionModel(Identifiable.randomUID("linReg"), Vectors.dense(r.coefficients()), r.intercept());
    lin.setFeaturesCol(FeaturePipeline.FEATURES).setPredictionCol(Columns.PREDICTION);
    lin.set(lin.labelCol(), Columns.LABEL);
    return lin;
  }

  /**
   * Standard errors, t and p-values of the normal equation solution, named by slot, the
   * intercept last (MLlib's order). Null when MLlib has none: the design was singular (the
   * solver fell back to L-BFGS) or had an L1 part.
   */
  private List<CoefficientStatistic> coefficientStatistics(LinearRegressionModel fitted, PipelineModel featureModel) {
    double[] se;
    double[] t;
    double[] p;
    try {
      se = fitted.summary().coefficientStandardErrors();
      t = fitted.summary().tValues();
      p = fitted.summary().pValues();
    } catch (UnsupportedOperationException e) {
      LOG.warn("no standard errors: {}", e.getMessage());
      return null;
    }
    List<String> names = new ArrayList<>(FittedPlan.of(featureModel, features).slotNames());
    double[] estimates = Arrays.copyOf(fitted.coefficients().toArray(), names.size() + (model.fitIntercept() ? 1 : 0));
    if (model.fitIntercept()) {
      names.add("(intercept)");
      estimates[names.size() - 1] = fitted.intercept();
    }
    List<CoefficientStatistic> out = new ArrayList<>();
    for (int i = 0; i < se.length && i < names.size(); i++) {
      out.add(new CoefficientStatistic(names.get(i), estimates[i], finite(se[i]), finite(t[i]), finite(p[i])));
    }
    return out;
  }

  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }

  /** Classes from the label values seen: 0..max. */
  private static int numClasses(Map<Double, Long> labelCounts) {
    if (labelCounts.size() < 2) {
      throw GlmpipeException.dataContract("the training rows have " + (labelCounts.isEmpty() ? "no label values"
          : "a single label value (" + labelCounts.keySet().iterator().next() + ")") + ": a logistic model needs at least two classes");
    }
    double max = labelCounts.keySet().stream().mapToDouble(Double::doubleValue).max().orElse(1);
    for (double label : labelCounts.keySet()) {
      if (label < 0 || label != Math.rint(label)) {
        throw GlmpipeException.dataContract("label value " + label + " is not a class index (0, 1, 2, …)");
      }
    }
    return Math.max(2, (int) max + 1);
  }

  /**
   * The weight of each label value: {@code balanced} gives a class {@code n / (k × n_class)} (k
   * classes seen, n rows), so every class weighs the same in total; an explicit map gives its
   * values and 1.0 to labels it does not list.
   */
  Map<Double, Double> classWeights(Map<Double, Long> labelCounts, int numClasses) {
    ModelConfig.ClassWeight cw = model.classWeight();
    if (cw == null) {
      return Map.of();
    }
    Map<Double, Double> out = new LinkedHashMap<>();
    long n = labelCounts.values().stream().mapToLong(Long::longValue).sum();
    for (Map.Entry<Double, Long> e : labelCounts.entrySet()) {
      double w;
      if (cw.balanced()) {
        w = (double) n / (labelCounts.size() * e.getValue());
      } else {
        w = cw.weights().entrySet().stream()
            .filter(k -> labelOf(k.getKey()) == e.getKey()).map(Map.Entry::getValue).findFirst().orElse(1.0);
      }
      out.put(e.getKey(), w);
    }
    return out;
  }

  private static double labelOf(String key) {
    String k = key.trim().toLowerCase(Locale.ROOT);
    return k.equals("true") ? 1.0 : k.equals("false") ? 0.0 : Double.parseDouble(k);
  }

  private static Column weightColumn(Map<Double, Double> weights) {
    Column w = lit(1.0);
    for (Map.Entry<Double, Double> e : weights.entrySet()) {
      w = when(col(Columns.LABEL).equalTo(lit(e.getKey())), lit(e.getValue())).otherwise(w);
    }
    return w;
  }

  /** The estimator parameters as recorded in the manifest. */
  public Map<String, Object> params() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("type", model.type().name().toLowerCase(Locale.ROOT));
    p.put("max_iter", model.maxIter());
    p.put("reg_param", model.regParam());
    p.put("elastic_net_param", model.elasticNetParam());
    p.put("tol", model.tol());
    p.put("fit_intercept", model.fitIntercept());
    p.put("standardization", model.standardization());
    p.put("solver", model.solver().name().toLowerCase(Locale.ROOT));
    if (model.type() == ModelType.LOGISTIC) {
      p.put("threshold", model.threshold());
      p.put("family", model.family().name().toLowerCase(Locale.ROOT));
      if (model.classWeight() != null) {
        p.put("class_weight", model.classWeight().describe());
      }
    }
    if (model.solver() == Solver.SGD) {
      Map<String, Object> sgd = new LinkedHashMap<>();
      sgd.put("step_size", model.sgd().stepSize());
      sgd.put("mini_batch_fraction", model.sgd().miniBatchFraction());
      sgd.put("iterations", model.sgd().iterations());
      sgd.put("convergence_tol", model.sgd().convergenceTol());
      p.put("sgd", sgd);
    }
    return p;
  }
}
