package dev.glmpipe.export;

import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.features.FittedPlan;
import dev.glmpipe.registry.ModelManifest;
import dev.glmpipe.train.ModelCoefficients;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code coefficients.json}: the weights by name, every fitted preprocessing parameter
 * ({@link PreprocessingParams}), the type of every input column, and the linear model as it
 * scores ({@code linear_model}: its family, the weight rows in {@code feature_order}, the
 * intercepts, a binomial model's threshold, and whether MLlib holds the weights sparse) — all a
 * scorer outside Spark needs to give the batch scores' numbers.
 */
public final class CoefficientsDocument {
  private CoefficientsDocument() {}

  /**
   * @param featureOrder the vector's slot names, in order (the version manifest's {@code features})
   * @param inputSchema the version manifest's {@code input_schema}
   * @param plan the fitted pipeline, read with {@code spec} (for the slot names)
   */
  public static Map<String, Object> of(String model, String version, String modelType, List<String> featureOrder,
      List<ModelManifest.SchemaField> inputSchema, FittedPlan plan, FeaturesConfig spec) {
    ModelCoefficients coefficients = ModelCoefficients.of(plan);
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("model", model);
    doc.put("version", version);
    doc.put("model_type", modelType);
    doc.put("intercept", coefficients.intercept());
    doc.put("intercept_input_units", coefficients.interceptInputUnits());
    if (coefficients.intercepts() != null) {
      doc.put("intercepts", coefficients.intercepts());  // one per class of a multinomial model
    }
    doc.put("coefficients", coefficients.byMagnitude());
    doc.put("feature_order", featureOrder);
    doc.put("input_schema", inputSchema);
    doc.put("linear_model", linearModel(plan.last()));
    doc.put("preprocessing", PreprocessingParams.of(plan, spec));
    return doc;
  }

  /** The model that ends the pipeline, as it computes its margins. */
  static Map<String, Object> linearModel(FittedPlan.Stage last) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (last instanceof FittedPlan.Linear lin) {
      out.put("family", "linear");
    } else if (last instanceof FittedPlan.Logistic lr) {
      out.put("family", lr.coefficientRows().size() == 1 ? "binomial" : "multinomial");
      out.put("num_classes", lr.numClasses());
      if (lr.coefficientRows().size() == 1) {
        out.put("threshold", lr.threshold());
      }
      out.put("per_class_thresholds", lr.perClassThresholds());
    } else {
      throw new IllegalStateException("not a linear model: " + last.mllibClass());
    }
    FittedPlan.Regression r = (FittedPlan.Regression) last;
    out.put("sparse", r.sparse());
    out.put("weights", r.coefficientRows());
    out.put("intercepts", r.intercepts());
    return out;
  }
}
