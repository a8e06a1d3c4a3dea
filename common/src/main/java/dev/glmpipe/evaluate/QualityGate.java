package dev.glmpipe.evaluate;

import dev.glmpipe.config.EvaluateConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Absolute thresholds on holdout metrics; the failures say which metric missed by how much. */
public final class QualityGate {
  private QualityGate() {}

  public static List<String> failures(Map<String, Double> metrics, EvaluateConfig thresholds) {
    List<String> out = new ArrayList<>();
    thresholds.minimumOrEmpty().forEach((metric, min) -> {
      Double value = metrics.get(metric);
      if (value == null || value.isNaN() || value < min) {
        out.add(metric + " " + format(value) + " is below the minimum " + format(min));
      }
    });
    thresholds.maximumOrEmpty().forEach((metric, max) -> {
      Double value = metrics.get(metric);
      if (value == null || value.isNaN() || value > max) {
        out.add(metric + " " + format(value) + " is above the maximum " + format(max));
      }
    });
    return out;
  }

  private static String format(Double v) {
    return v == null ? "(not computed)" : String.format(java.util.Locale.ROOT, "%.4f", v);
  }
}
