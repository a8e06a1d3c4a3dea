package dev.glmpipe.train;

import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.features.FittedFeatures;
import dev.glmpipe.features.FittedFeatures.Slot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.regression.LinearRegressionModel;

/**
 * A fitted linear model's coefficients with feature names, in two units: as the model applies
 * them (to the prepared feature vector) and per unit of the input column, with standardization
 * folded back in, which is what a person compares with domain knowledge.
 */
public record ModelCoefficients(
    double intercept, double interceptInputUnits, List<Coefficient> coefficients) {

  /**
   * @param value the weight on the prepared (imputed, scaled, encoded) feature
   * @param valueInputUnits the weight per unit of the input column
   */
  public record Coefficient(String feature, String sourceColumn, double value, double valueInputUnits) {}

  public static ModelCoefficients of(PipelineModel model, FeaturesConfig spec) {
    Transformer last = model.stages()[model.stages().length - 1];
    Vector weights;
    double intercept;
    if (last instanceof LogisticRegressionModel lr) {
      weights = lr.coefficients();
      intercept = lr.intercept();
    } else if (last instanceof LinearRegressionModel lin) {
      weights = lin.coefficients();
      intercept = lin.intercept();
    } else {
      throw new IllegalStateException("not a linear model: " + last.getClass().getSimpleName());
    }
    List<Slot> slots = FittedFeatures.slots(model, spec);
    if (slots.size() != weights.size()) {
      throw new IllegalStateException("feature names (" + slots.size() + ") do not match coefficients (" + weights.size() + ")");
    }
    List<Coefficient> out = new ArrayList<>();
    double interceptInput = intercept;
    for (int i = 0; i < slots.size(); i++) {
      Slot s = slots.get(i);
      double w = weights.apply(i);
      double perUnit = w / s.scale();
      interceptInput -= perUnit * s.shift();
      out.add(new Coefficient(s.name(), s.sourceColumn(), w, perUnit));
    }
    return new ModelCoefficients(intercept, interceptInput, out);
  }

  /** Largest absolute weight first: the order a reviewer reads them in. */
  public List<Coefficient> byMagnitude() {
    return coefficients.stream().sorted(Comparator.comparingDouble((Coefficient c) -> -Math.abs(c.value()))).toList();
  }

  public double inputUnits(String feature) {
    return coefficients.stream().filter(c -> c.feature().equals(feature)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no feature " + feature)).valueInputUnits();
  }
}
