package dev.glmpipe.train;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.features.FittedPlan;
import dev.glmpipe.features.FittedPlan.Slot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.ml.PipelineModel;

/**
 * A fitted linear model's coefficients with feature names, in two units: as the model applies
 * them (to the prepared feature vector) and per unit of the input column, with standardization
 * folded back in, which is what a person compares with domain knowledge.
 *
 * <p>A multinomial model has one coefficient per (class, slot), each carrying its class as
 * {@code outcome}, and one intercept per class in {@code intercepts}; its single
 * {@code intercept} fields are then null.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelCoefficients(
    Double intercept, Double interceptInputUnits, List<Coefficient> coefficients, List<ClassIntercept> intercepts) {

  /**
   * @param value the weight on the prepared (imputed, scaled, encoded) feature
   * @param valueInputUnits the weight per unit of the input column
   * @param outcome the class this weight scores (multinomial models only)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Coefficient(String feature, String sourceColumn, double value, double valueInputUnits, Integer outcome) {
    public Coefficient(String feature, String sourceColumn, double value, double valueInputUnits) {
      this(feature, sourceColumn, value, valueInputUnits, null);
    }
  }

  /** One class's intercept of a multinomial model. */
  public record ClassIntercept(int outcome, double intercept, double interceptInputUnits) {}

  public static ModelCoefficients of(PipelineModel model, FeaturesConfig spec) {
    return of(FittedPlan.of(model, spec));
  }

  /** @param plan a fitted pipeline read with its feature spec (for the slot names) */
  public static ModelCoefficients of(FittedPlan plan) {
    FittedPlan.Stage last = plan.last();
    List<Slot> slots = plan.slots();
    if (last instanceof FittedPlan.Logistic lr && lr.numClasses() > 2) {
      return multinomial(lr, slots);
    }
    List<Double> weights;
    double intercept;
    if (last instanceof FittedPlan.Logistic lr) {
      weights = lr.coefficients();
      intercept = lr.intercept();
    } else if (last instanceof FittedPlan.Linear lin) {
      weights = lin.coefficients();
      intercept = lin.intercept();
    } else {
      throw new IllegalStateException("not a linear model: " + last.mllibClass());
    }
    requireSameWidth(slots, weights.size());
    List<Coefficient> out = new ArrayList<>();
    double interceptInput = intercept;
    for (int i = 0; i < slots.size(); i++) {
      Slot s = slots.get(i);
      double w = weights.get(i);
      double perUnit = w / s.scale();
      interceptInput -= perUnit * s.shift();
      out.add(new Coefficient(s.name(), s.sourceColumn(), w, perUnit));
    }
    return new ModelCoefficients(intercept, interceptInput, out, null);
  }

  private static ModelCoefficients multinomial(FittedPlan.Logistic lr, List<Slot> slots) {
    List<List<Double>> w = lr.coefficientRows();
    requireSameWidth(slots, w.get(0).size());
    List<Coefficient> out = new ArrayList<>();
    List<ClassIntercept> intercepts = new ArrayList<>();
    for (int k = 0; k < w.size(); k++) {
      double intercept = lr.intercepts().get(k);
      double interceptInput = intercept;
      for (int i = 0; i < slots.size(); i++) {
        Slot s = slots.get(i);
        double perUnit = w.get(k).get(i) / s.scale();
        interceptInput -= perUnit * s.shift();
        out.add(new Coefficient(s.name(), s.sourceColumn(), w.get(k).get(i), perUnit, k));
      }
      intercepts.add(new ClassIntercept(k, intercept, interceptInput));
    }
    return new ModelCoefficients(null, null, out, intercepts);
  }

  private static void requireSameWidth(List<Slot> slots, int width) {
    if (slots.size() != width) {
      throw new IllegalStateException("feature names (" + slots.size() + ") do not match coefficients (" + width + ")");
    }
  }

  /** Largest absolute weight first: the order a reviewer reads them in. */
  public List<Coefficient> byMagnitude() {
    return coefficients.stream().sorted(Comparator.comparingDouble((Coefficient c) -> -Math.abs(c.value()))).toList();
  }

  /** The per-input-unit weight of a binomial or linear model's slot. */
  public double inputUnits(String feature) {
    return coefficients.stream().filter(c -> c.feature().equals(feature) && c.outcome() == null).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no feature " + feature)).valueInputUnits();
  }
}
