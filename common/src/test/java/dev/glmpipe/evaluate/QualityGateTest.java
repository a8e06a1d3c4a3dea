package dev.glmpipe.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glmpipe.config.EvaluateConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QualityGateTest {
  private final EvaluateConfig thresholds = new EvaluateConfig(Map.of("auc_roc", 0.7), Map.of("log_loss", 0.6));

  @Test
  void passesWhenEveryThresholdHolds() {
    assertThat(QualityGate.failures(Map.of("auc_roc", 0.7, "log_loss", 0.6), thresholds)).isEmpty();
  }

  @Test
  void namesEachMissedThreshold() {
    assertThat(QualityGate.failures(Map.of("auc_roc", 0.69, "log_loss", 0.61), thresholds))
        .containsExactlyInAnyOrder("auc_roc 0.6900 is below the minimum 0.7000", "log_loss 0.6100 is above the maximum 0.6000");
    assertThat(QualityGate.failures(Map.of("auc_roc", Double.NaN, "log_loss", 0.1), thresholds)).hasSize(1);
  }
}
