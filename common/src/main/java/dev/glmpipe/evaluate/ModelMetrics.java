package dev.glmpipe.evaluate;

import dev.glmpipe.config.ModelConfig.ModelType;
import dev.glmpipe.train.ModelTrainer;
import dev.glmpipe.train.TrainingFrames;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Holdout metrics from MLlib's own evaluators. The caller caches {@code predictions}: each
 * evaluator is one pass over them.
 */
public final class ModelMetrics {
  private ModelMetrics() {}

  /** {@code predictions} carry {@link TrainingFrames#LABEL} and the model's output columns. */
  public static Map<String, Double> compute(Dataset<Row> predictions, ModelType type) {
    Map<String, Double> m = new LinkedHashMap<>();
    if (type == ModelType.LOGISTIC) {
      BinaryClassificationEvaluator binary = new BinaryClassificationEvaluator()
          .setLabelCol(TrainingFrames.LABEL)
          .setRawPredictionCol(ModelTrainer.PROBABILITY);
      m.put("auc_roc", binary.setMetricName("areaUnderROC").evaluate(predictions));
      m.put("auc_pr", binary.setMetricName("areaUnderPR").evaluate(predictions));
      MulticlassClassificationEvaluator multi = new MulticlassClassificationEvaluator()
          .setLabelCol(TrainingFrames.LABEL)
          .setPredictionCol(ModelTrainer.PREDICTION)
          .setProbabilityCol(ModelTrainer.PROBABILITY);
      m.put("log_loss", multi.setMetricName("logLoss").evaluate(predictions));
      m.put("accuracy", multi.setMetricName("accuracy").evaluate(predictions));
    } else {
      RegressionEvaluator reg = new RegressionEvaluator()
          .setLabelCol(TrainingFrames.LABEL)
          .setPredictionCol(ModelTrainer.PREDICTION);
      m.put("rmse", reg.setMetricName("rmse").evaluate(predictions));
      m.put("mae", reg.setMetricName("mae").evaluate(predictions));
      m.put("r2", reg.setMetricName("r2").evaluate(predictions));
    }
    return m;
  }
}
