package dev.glmpipe.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glmpipe.config.EvaluateConfig;
import dev.glmpipe.evaluate.EvaluationReport.GateDecision;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QualityGateTest {
  private final EvaluateConfig config = new EvaluateConfig(Map.of("auc_roc", 0.7), Map.of("log_loss", 0.6),
      Map.of("auc_roc", 0.01, "log_loss", 0.02), null, null, null, null);

  @Test
  void aFirstModelFacesTheAbsoluteThresholdsOnly() {
    GateDecision d = QualityGate.decide(Map.of("auc_roc", 0.7, "log_loss", 0.6), null, null, config);
    assertThat(d.passed()).isTrue();
    assertThat(d.checks()).extracting(EvaluationReport.GateCheck::rule).containsExactlyInAnyOrder("minimum", "maximum");
  }

  @Test
  void namesEachMissedAbsoluteThreshold() {
    GateDecision d = QualityGate.decide(Map.of("auc_roc", 0.69, "log_loss", 0.61), null, null, config);
    assertThat(d.passed()).isFalse();
    assertThat(d.reasons()).containsExactlyInAnyOrder("auc_roc 0.6900 is below the minimum 0.7000",
        "log_loss 0.6100 is above the maximum 0.6000");
    assertThat(QualityGate.decide(Map.of("auc_roc", Double.NaN, "log_loss", 0.1), null, null, config).reasons()).hasSize(1);
  }

  @Test
  void acceptsACandidateWithinDeltaOfTheChampion() {
    GateDecision d = QualityGate.decide(Map.of("auc_roc", 0.791, "log_loss", 0.519), "v1",
        Map.of("auc_roc", 0.80, "log_loss", 0.50), config);
    assertThat(d.passed()).isTrue();
    assertThat(d.championVersion()).isEqualTo("v1");
    assertThat(d.checks()).filteredOn(c -> c.rule().equals("vs_champion")).hasSize(2);
  }

  @Test
  void rejectsACandidateWorseThanTheChampionByMoreThanDelta() {
    // Better than every absolute threshold, yet worse than the champion: higher-is-better and
    // lower-is-better metrics each in their own direction.
    GateDecision d = QualityGate.decide(Map.of("auc_roc", 0.78, "log_loss", 0.53), "v1",
        Map.of("auc_roc", 0.80, "log_loss", 0.50), config);
    assertThat(d.passed()).isFalse();
    assertThat(d.reasons()).containsExactlyInAnyOrder(
        "auc_roc 0.7800 is worse than champion v1's 0.8000 by more than 0.0100",
        "log_loss 0.5300 is worse than champion v1's 0.5000 by more than 0.0200");
  }

  @Test
  void aBetterCandidateAlwaysPasses() {
    assertThat(QualityGate.decide(Map.of("auc_roc", 0.9, "log_loss", 0.3), "v1", Map.of("auc_roc", 0.8, "log_loss", 0.5), config)
        .passed()).isTrue();
  }
}
