package dev.glmpipe.evaluate;

import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;

/** What kind of prediction a fitted pipeline makes, which decides the metrics. */
public enum Task {
  BINARY, MULTICLASS, REGRESSION;

  public static Task of(PipelineModel model) {
    Transformer last = model.stages()[model.stages().length - 1];
    if (last instanceof ProbabilisticClassificationModel<?, ?> c) {
      return c.numClasses() == 2 ? BINARY : MULTICLASS;
    }
    return REGRESSION;
  }

  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
