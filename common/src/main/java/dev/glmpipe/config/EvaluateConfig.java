package dev.glmpipe.config;

import java.util.Map;

/**
 * Absolute quality thresholds on holdout metrics: {@code minimum} for metrics where higher is
 * better (auc_roc, r2), {@code maximum} for those where lower is better (log_loss, rmse).
 */
public record EvaluateConfig(
    @ConfigOptional Map<String, Double> minimum, @ConfigOptional Map<String, Double> maximum) {

  public Map<String, Double> minimumOrEmpty() {
    return minimum == null ? Map.of() : minimum;
  }

  public Map<String, Double> maximumOrEmpty() {
    return maximum == null ? Map.of() : maximum;
  }
}
