package dev.glmpipe.evaluate;

import dev.glmpipe.config.EvaluateConfig;
import dev.glmpipe.evaluate.EvaluationReport.GateCheck;
import dev.glmpipe.evaluate.EvaluationReport.GateDecision;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The release gate: absolute thresholds on the candidate's holdout metrics, and "no worse than
 * the champion by more than δ" on the same holdout. A first model (no champion) faces the
 * absolute thresholds only. Every rule becomes a check; each failed check one reason.
 */
public final class QualityGate {
  /** Metrics where a larger value is better; every other metric is better smaller. */
  static final Set<String> HIGHER_IS_BETTER = Set.of("auc_roc", "auc_pr", "accuracy", "precision", "recall", "f1", "ks",
      "r2", "weighted_f1");

  private QualityGate() {}

  public static boolean higherIsBetter(String metric) {
    return HIGHER_IS_BETTER.contains(metric);
  }

  /**
   * @param champion the champion's metrics on the same holdout, or null when there is none
   */
  public static GateDecision decide(Map<String, Double> candidate, String championVersion, Map<String, Double> champion,
      EvaluateConfig config) {
    List<GateCheck> checks = new ArrayList<>();
    List<String> reasons = new ArrayList<>();
    config.minimumOrEmpty().forEach((metric, min) -> {
      Double v = candidate.get(metric);
      boolean ok = defined(v) && v >= min;
      checks.add(new GateCheck(metric, "minimum", min, v, null, ok));
      if (!ok) {
        reasons.add(metric + " " + format(v) + " is below the minimum " + format(min));
      }
    });
    config.maximumOrEmpty().forEach((metric, max) -> {
      Double v = candidate.get(metric);
      boolean ok = defined(v) && v <= max;
      checks.add(new GateCheck(metric, "maximum", max, v, null, ok));
      if (!ok) {
        reasons.add(metric + " " + format(v) + " is above the maximum " + format(max));
      }
    });
    if (champion != null) {
      config.maxDegradationOrEmpty().forEach((metric, delta) -> {
        Double v = candidate.get(metric);
        Double c = champion.get(metric);
        if (!defined(c)) {
          return;  // the champion has no value to compare with (e.g. a metric it cannot compute)
        }
        boolean higher = higherIsBetter(metric);
        double limit = higher ? c - delta : c + delta;
        boolean ok = defined(v) && (higher ? v >= limit : v <= limit);
        checks.add(new GateCheck(metric, "vs_champion", limit, v, c, ok));
        if (!ok) {
          reasons.add(metric + " " + format(v) + " is worse than champion " + championVersion + "'s " + format(c)
              + " by more than " + format(delta));
        }
      });
    }
    return new GateDecision(reasons.isEmpty(), championVersion, checks, reasons);
  }

  private static boolean defined(Double v) {
    return v != null && !v.isNaN();
  }

  private static String format(Double v) {
    return v == null ? "(not computed)" : String.format(Locale.ROOT, "%.4f", v);
  }
}
