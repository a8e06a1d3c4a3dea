package dev.glmpipe.train;

import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.config.ModelConfig;
import dev.glmpipe.features.FeaturePipeline;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.ml.regression.LinearRegressionModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Fits the feature pipeline and the configured linear estimator as one MLlib PipelineModel. */
public final class ModelTrainer {
  public static final String PREDICTION = "prediction";
  public static final String PROBABILITY = "probability";
  public static final String RAW_PREDICTION = "rawPrediction";

  /** The fitted pipeline and what the solver reported while fitting it. */
  public record TrainedModel(PipelineModel pipeline, int iterations, double[] objectiveHistory) {}

  private final FeaturesConfig features;
  private final ModelConfig model;

  public ModelTrainer(FeaturesConfig features, ModelConfig model) {
    this.features = features;
    this.model = model;
  }

  /**
   * {@code rows} must carry {@link TrainingFrames#LABEL}. Reads them once to count category
   * levels, then as often as the pipeline's stages and the solver need.
   */
  public TrainedModel fit(Dataset<Row> rows) {
    List<PipelineStage> stages = new ArrayList<>(FeaturePipeline.stages(features, rows));
    stages.add(estimator());
    PipelineModel fitted = new Pipeline().setStages(stages.toArray(PipelineStage[]::new)).fit(rows);
    Transformer last = fitted.stages()[fitted.stages().length - 1];
    if (last instanceof LogisticRegressionModel lr) {
      return new TrainedModel(fitted, lr.summary().totalIterations(), lr.summary().objectiveHistory());
    }
    LinearRegressionModel lin = (LinearRegressionModel) last;
    return new TrainedModel(fitted, lin.summary().totalIterations(), lin.summary().objectiveHistory());
  }

  private PipelineStage estimator() {
    return switch (model.type()) {
      case LOGISTIC -> new LogisticRegression()
          .setFeaturesCol(FeaturePipeline.FEATURES)
          .setLabelCol(TrainingFrames.LABEL)
          .setPredictionCol(PREDICTION)
          .setProbabilityCol(PROBABILITY)
          .setRawPredictionCol(RAW_PREDICTION)
          .setFamily("binomial")
          .setMaxIter(model.maxIter())
          .setRegParam(model.regParam())
          .setElasticNetParam(model.elasticNetParam())
          .setTol(model.tol())
          .setFitIntercept(model.fitIntercept())
          .setStandardization(model.standardization())
          .setThreshold(model.threshold());
      case LINEAR -> new LinearRegression()
          .setFeaturesCol(FeaturePipeline.FEATURES)
          .setLabelCol(TrainingFrames.LABEL)
          .setPredictionCol(PREDICTION)
          .setMaxIter(model.maxIter())
          .setRegParam(model.regParam())
          .setElasticNetParam(model.elasticNetParam())
          .setTol(model.tol())
          .setFitIntercept(model.fitIntercept())
          .setStandardization(model.standardization());
    };
  }

  /** The estimator parameters as recorded in the manifest. */
  public Map<String, Object> params() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("type", model.type().name().toLowerCase(java.util.Locale.ROOT));
    p.put("max_iter", model.maxIter());
    p.put("reg_param", model.regParam());
    p.put("elastic_net_param", model.elasticNetParam());
    p.put("tol", model.tol());
    p.put("fit_intercept", model.fitIntercept());
    p.put("standardization", model.standardization());
    if (model.type() == ModelConfig.ModelType.LOGISTIC) {
      p.put("threshold", model.threshold());
    }
    return p;
  }
}
