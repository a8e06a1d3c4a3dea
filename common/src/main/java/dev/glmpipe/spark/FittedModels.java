package dev.glmpipe.spark;

import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.regression.LinearRegressionModel;

/**
 * A model MLlib just fitted, without its training summary: the same uid, params and
 * coefficients, as a saved and loaded model has them.
 *
 * <p>From Spark 4.0 the training summary holds the SparkSession, which no longer serializes (its
 * {@code ObservationManager}); MLlib's prediction UDFs capture the whole model, so a freshly
 * fitted model used in a task fails with "Task not serializable". Spark 3.5's summary held a
 * transient session. Read what the summary has to say (objective history, standard errors)
 * first, then keep the model this gives.
 */
public final class FittedModels {
  private FittedModels() {}

  public static Transformer withoutSummary(Transformer model) {
    if (model instanceof LogisticRegressionModel lr && lr.hasSummary()) {
      // A multinomial model has a row of coefficients per class, a binomial one a single row.
      LogisticRegressionModel bare = new LogisticRegressionModel(lr.uid(), lr.coefficientMatrix(), lr.interceptVector(),
          lr.numClasses(), lr.coefficientMatrix().numRows() != 1);
      return lr.copyValues(bare, ParamMap.empty());
    }
    if (model instanceof LinearRegressionModel lin && lin.hasSummary()) {
      LinearRegressionModel bare = new LinearRegressionModel(lin.uid(), lin.coefficients(), lin.intercept(), lin.scale());
      return lin.copyValues(bare, ParamMap.empty());
    }
    return model;
  }
}
