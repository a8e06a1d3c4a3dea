package dev.glmpipe.datagen;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class ChurnGeneratorTest {
  private static final LocalDate DAY = LocalDate.of(2026, 11, 1);

  @Test
  void sameSeedAndDateGiveTheSameFile() {
    assertThat(ChurnGenerator.generate(DAY, 500, 7, 0.05).lines())
        .isEqualTo(ChurnGenerator.generate(DAY, 500, 7, 0.05).lines())
        .isNotEqualTo(ChurnGenerator.generate(DAY.plusDays(1), 500, 7, 0.05).lines());
  }

  @Test
  void theCommittedSampleDataIsWhatTheSeedInBaseYamlGives() throws java.io.IOException {
    // data-samples/ was made by `datagen` with conf/base.yaml's datagen section; the README
    // promises the same seed always gives the same files.
    for (LocalDate dt = DAY; !dt.isAfter(LocalDate.of(2026, 11, 7)); dt = dt.plusDays(1)) {
      java.nio.file.Path file = java.nio.file.Path.of("..", "data-samples", "raw", "dt=" + dt, "churn-" + dt + ".csv");
      assertThat(java.nio.file.Files.readAllLines(file))
          .as(file.toString())
          .isEqualTo(ChurnGenerator.generate(dt, 3000, 20261101, 0.01).lines());
    }
  }

  @Test
  void brokenRowsAreCountedAndEveryDefectAppears() {
    ChurnGenerator.Day day = ChurnGenerator.generate(DAY, 5000, 7, 0.05);
    assertThat(day.lines()).hasSize(5001);
    assertThat(day.brokenRows()).isBetween(180, 330);
    assertThat(day.brokenByReason()).containsOnlyKeys(
        "MALFORMED_RECORD", "TYPE_MISMATCH", "OUT_OF_RANGE", "MISSING_REQUIRED", "NOT_ALLOWED_VALUE", "DUPLICATE_KEY");
    long distinctIds = day.lines().stream().skip(1).map(l -> l.split(",", -1)[0]).distinct().count();
    assertThat(day.rows() - distinctIds).isEqualTo((long) day.brokenByReason().get("DUPLICATE_KEY"));
    long shortLines = day.lines().stream().filter(l -> l.split(",", -1).length != ChurnGenerator.COLUMNS.size()).count();
    assertThat(shortLines).isEqualTo((long) day.brokenByReason().get("MALFORMED_RECORD"));
  }

  @Test
  void labelRateFollowsTheTrueModel() {
    // The empirical churn rate must match the mean true probability over the same rows.
    ChurnGenerator.Day day = ChurnGenerator.generate(DAY, 20000, 11, 0.0);
    double churned = day.lines().stream().skip(1).mapToInt(l -> l.endsWith(",1") ? 1 : 0).average().orElseThrow();
    double expected = day.lines().stream().skip(1).mapToDouble(ChurnGeneratorTest::trueProbability).average().orElseThrow();
    assertThat(churned).isCloseTo(expected, org.assertj.core.data.Offset.offset(0.015));
  }

  private static double trueProbability(String line) {
    String[] f = line.split(",", -1);
    var m = ChurnGenerator.TRUE_MODEL;
    double usage = f[5].isEmpty() ? Double.NaN : Double.parseDouble(f[5]);
    double logit = m.get("intercept") + m.get("tenure_months") * Integer.parseInt(f[2])
        + m.get("monthly_charges") * Double.parseDouble(f[3]) + m.get("support_calls") * Integer.parseInt(f[4])
        + (Double.isNaN(usage) ? m.get("data_usage_gb") * Math.exp(2 + 0.18) : m.get("data_usage_gb") * usage)
        + m.getOrDefault("plan=" + f[6], 0.0) + m.getOrDefault("region=" + f[7], 0.0)
        + (Boolean.parseBoolean(f[8]) ? m.get("autopay") : 0.0);
    return 1 / (1 + Math.exp(-logit));
  }
}
