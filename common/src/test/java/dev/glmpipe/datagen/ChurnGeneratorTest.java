package dev.glmpipe.datagen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.glmpipe.config.ConfigException;
import dev.glmpipe.config.ConfigLoader;
import dev.glmpipe.config.DatagenConfig.Drift;
import dev.glmpipe.config.DatagenConfig.DriftKind;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

  // --- drift -------------------------------------------------------------------------------

  private static final LocalDate NEXT = DAY.plusDays(1);

  private static ChurnGenerator.Day drifted(LocalDate dt, int rows, double broken, Drift... drifts) {
    return ChurnGenerator.generate(dt, rows, 7, broken, ChurnGenerator.Drift.on(dt, List.of(drifts)));
  }

  private static Drift shift(LocalDate from, String column, double by) {
    return new Drift(from, DriftKind.SHIFT, column, by, null, null);
  }

  @Test
  void noDriftInForceIsTheUndriftedGenerator() {
    Drift later = shift(NEXT, "monthly_charges", 15);
    assertThat(ChurnGenerator.Drift.on(DAY, List.of())).isSameAs(ChurnGenerator.Drift.NONE);
    assertThat(ChurnGenerator.Drift.on(DAY, List.of(later))).isSameAs(ChurnGenerator.Drift.NONE);
    assertThat(drifted(DAY, 2000, 0.05, later).lines()).isEqualTo(ChurnGenerator.generate(DAY, 2000, 7, 0.05).lines());
  }

  @Test
  void shiftMovesTheColumnMeanByItsAmountFromItsDateAndTheLabelFollowsTheTrueModel() {
    Drift[] drifts = {shift(NEXT, "monthly_charges", 15.0), shift(NEXT, "tenure_months", 6)};
    ChurnGenerator.Day before = drifted(DAY, 5000, 0.02, drifts);
    ChurnGenerator.Day plain = ChurnGenerator.generate(NEXT, 5000, 7, 0.02);
    ChurnGenerator.Day after = drifted(NEXT, 5000, 0.02, drifts);

    assertThat(before.lines()).as("days before `from`").isEqualTo(ChurnGenerator.generate(DAY, 5000, 7, 0.02).lines());
    // Each row moves by exactly `by` (charges are rounded to cents again), so the means do too.
    assertThat(mean(after, 3) - mean(plain, 3)).isCloseTo(15.0, offset(0.005));
    assertThat(mean(after, 2) - mean(plain, 2)).isCloseTo(6.0, offset(1e-9));
    assertThat(mean(after, 4)).as("an unshifted column").isEqualTo(mean(plain, 4));

    // No concept change: the churn rate on the shifted inputs is the true model's mean probability.
    ChurnGenerator.Day big = drifted(NEXT, 20000, 0.0, drifts);
    assertThat(churnRate(big)).isCloseTo(big.lines().stream().skip(1).mapToDouble(ChurnGeneratorTest::trueProbability)
        .average().orElseThrow(), offset(0.015));
    // Every row's logit rises by 15 × 0.018 − 6 × 0.035 = 0.06 and the same uniform decides: more churn.
    assertThat(ChurnGenerator.TRUE_MODEL.get("monthly_charges") * 15 + ChurnGenerator.TRUE_MODEL.get("tenure_months") * 6)
        .isPositive();
    assertThat(churnRate(big)).isGreaterThan(churnRate(ChurnGenerator.generate(NEXT, 20000, 7, 0.0)));
  }

  @Test
  void mixDrawsTheCategoryFromTheGivenWeightsAndNothingElseMoves() {
    Drift mix = new Drift(DAY, DriftKind.MIX, "plan", null, Map.of("basic", 1.0, "standard", 1.0, "premium", 2.0), null);
    int rows = 6000;
    ChurnGenerator.Day day = drifted(DAY, rows, 0.0, mix);
    Map<String, Long> counts = new HashMap<>();
    day.lines().stream().skip(1).forEach(l -> counts.merge(l.split(",", -1)[6], 1L, Long::sum));
    // Binomial share, standard error sqrt(p(1-p)/n) < 0.0065 here: 4 standard errors.
    assertThat(counts.get("basic") / (double) rows).isCloseTo(0.25, offset(0.026));
    assertThat(counts.get("standard") / (double) rows).isCloseTo(0.25, offset(0.026));
    assertThat(counts.get("premium") / (double) rows).isCloseTo(0.50, offset(0.026));

    Drift regions = new Drift(DAY, DriftKind.MIX, "region", null, Map.of("west", 3.0, "east", 1.0), null);
    ChurnGenerator.Day west = drifted(DAY, rows, 0.0, regions);
    long wests = west.lines().stream().skip(1).filter(l -> l.split(",", -1)[7].equals("west")).count();
    assertThat(wests / (double) rows).isCloseTo(0.75, offset(0.023));
    assertThat(west.lines().stream().skip(1).map(l -> l.split(",", -1)[7])).containsOnly("west", "east");

    // The same uniform picks the level, so the rows differ only in plan and the label it moves.
    ChurnGenerator.Day plain = ChurnGenerator.generate(DAY, rows, 7, 0.05);
    ChurnGenerator.Day broken = drifted(DAY, rows, 0.05, mix);
    for (int i = 0; i < plain.lines().size(); i++) {
      assertThat(without(broken.lines().get(i), 6, 9)).isEqualTo(without(plain.lines().get(i), 6, 9));
    }
  }

  @Test
  void conceptDriftMovesLabelsTheWayTheNewCoefficientsPointAndLeavesInputsAlone() {
    // Higher intercept and support-call effect: every row's true probability rises.
    Drift concept = new Drift(DAY, DriftKind.CONCEPT, null, null, null, Map.of("intercept", 0.0, "support_calls", 0.9));
    ChurnGenerator.Day plain = ChurnGenerator.generate(DAY, 20000, 7, 0.0);
    ChurnGenerator.Day day = drifted(DAY, 20000, 0.0, concept);

    // The label is the same uniform compared with a new probability, so the inputs are the same
    // lines, and a row that churned under the old model churns under the higher new one.
    for (int i = 1; i < plain.lines().size(); i++) {
      assertThat(without(day.lines().get(i), 9)).isEqualTo(without(plain.lines().get(i), 9));
      if (plain.lines().get(i).endsWith(",1")) {
        assertThat(day.lines().get(i)).endsWith(",1");
      }
    }
    Map<String, Double> model = new java.util.LinkedHashMap<>(ChurnGenerator.TRUE_MODEL);
    model.putAll(concept.coefficients());
    assertThat(churnRate(day)).isGreaterThan(churnRate(plain) + 0.05)
        .isCloseTo(day.lines().stream().skip(1).mapToDouble(l -> probability(l, model)).average().orElseThrow(), offset(0.015));

    // Lower: a premium plan that keeps customers even more.
    Drift loyal = new Drift(DAY, DriftKind.CONCEPT, null, null, null, Map.of("plan=premium", -3.0));
    assertThat(churnRate(drifted(DAY, 20000, 0.0, loyal))).isLessThan(churnRate(plain));
  }

  @Test
  void driftsInForceCombineInListOrder() {
    Drift a = shift(DAY, "support_calls", 1);
    Drift b = shift(NEXT, "support_calls", 2);
    Drift c = new Drift(DAY, DriftKind.CONCEPT, null, null, null, Map.of("autopay", 0.0));
    Drift d = new Drift(NEXT, DriftKind.CONCEPT, null, null, null, Map.of("autopay", -2.0));
    assertThat(ChurnGenerator.Drift.on(DAY, List.of(a, b, c, d)).shift()).containsEntry("support_calls", 1.0);
    assertThat(ChurnGenerator.Drift.on(NEXT, List.of(a, b, c, d)).shift()).containsEntry("support_calls", 3.0);
    assertThat(ChurnGenerator.Drift.on(DAY, List.of(a, b, c, d)).model()).containsEntry("autopay", 0.0)
        .containsEntry("intercept", ChurnGenerator.TRUE_MODEL.get("intercept"));
    assertThat(ChurnGenerator.Drift.on(NEXT, List.of(a, b, c, d)).model()).containsEntry("autopay", -2.0);
  }

  @Test
  void driftNamesMustBeTheGeneratorsAndFailWithTheKeyPath() {
    assertThatThrownBy(() -> check("[{from: 2026-11-05, kind: shift, column: foo, by: 1}]"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("config key 'datagen.drift[0].column': 'foo' is not a numeric input of the generator");
    assertThatThrownBy(() -> check("[{from: 2026-11-05, kind: shift, column: plan, by: 1}]"))
        .hasMessageStartingWith("config key 'datagen.drift[0].column': 'plan' is not a numeric input");
    assertThatThrownBy(() -> check("[{from: 2026-11-05, kind: shift, column: monthly_charges, by: 1.5},"
        + " {from: 2026-11-05, kind: shift, column: tenure_months, by: 1.5}]"))
        .hasMessage("config key 'datagen.drift[1].by': tenure_months is a whole number, so the shift must be one too, got 1.5");
    assertThatThrownBy(() -> check("[{from: 2026-11-05, kind: mix, column: autopay, weights: {x: 1}}]"))
        .hasMessageStartingWith("config key 'datagen.drift[0].column': 'autopay' is not a categorical input of the generator");
    assertThatThrownBy(() -> check("[{from: 2026-11-05, kind: mix, column: plan, weights: {basic: 1, platinum: 1}}]"))
        .hasMessage("config key 'datagen.drift[0].weights.platinum': 'platinum' is not a level of plan (levels: basic, standard, premium)");
    assertThatThrownBy(() -> check("[{from: 2026-11-05, kind: concept, coefficients: {plan=basic: 1}}]"))
        .hasMessageStartingWith("config key 'datagen.drift[0].coefficients.plan=basic': 'plan=basic' is not a term of the true model");
    check("[{from: 2026-11-05, kind: shift, column: monthly_charges, by: 15.0},"
        + " {from: 2026-11-05, kind: mix, column: region, weights: {west: 2, north: 1}},"
        + " {from: 2026-11-06, kind: concept, coefficients: {plan=premium: -0.2, intercept: 0}}]");
  }

  private static void check(String drift) {
    ChurnGenerator.check(ConfigLoader.load(List.of("../conf/local.yaml"), List.of("datagen.drift=" + drift)).datagen());
  }

  // --- labels ------------------------------------------------------------------------------

  @Test
  void labelsAreTheValidRowsChurnedValuesAndBrokenRowsHaveNone() {
    ChurnGenerator.Day day = ChurnGenerator.generate(DAY, 5000, 7, 0.05);
    assertThat(day.labels()).hasSize(day.rows() - day.brokenRows());
    Map<String, List<String>> lines = new HashMap<>();
    day.lines().stream().skip(1).forEach(l -> lines.computeIfAbsent(l.split(",", -1)[0], k -> new ArrayList<>()).add(l));
    Set<String> labelled = new HashSet<>();
    for (ChurnGenerator.Label label : day.labels()) {
      assertThat(labelled.add(label.customerId())).as("one label per customer").isTrue();
      // Every line with that id (the row, and a stale duplicate of it) carries the same label.
      assertThat(lines.get(label.customerId())).allSatisfy(l -> assertThat(l).endsWith("," + label.churned()));
    }
    // Rows the contract rejects for their own content have no label (a stale duplicate shares its original's id).
    long unlabelled = 0;
    for (String l : day.lines().subList(1, day.lines().size())) {
      String[] f = l.split(",", -1);
      boolean broken = f.length != ChurnGenerator.COLUMNS.size() || f[3].equals("n/a") || f[2].startsWith("-")
          || f[6].isEmpty() || f[6].equals("platinum") || f[1].equals("yesterday");
      if (broken) {
        unlabelled++;
        assertThat(labelled).doesNotContain(f[0]);
      }
    }
    assertThat(unlabelled).isEqualTo(day.brokenRows() - day.brokenByReason().get("DUPLICATE_KEY"));

    List<String> feed = day.labelLines();
    assertThat(feed.get(0)).isEqualTo("customer_id,churned,event_dt");
    assertThat(feed).hasSize(day.labels().size() + 1);
    assertThat(feed.subList(1, feed.size())).allSatisfy(l -> assertThat(l).matches("C20261101-[0-9]{6},[01],2026-11-01"));
  }

  private static double mean(ChurnGenerator.Day day, int column) {
    return day.lines().stream().skip(1).map(l -> l.split(",", -1))
        .filter(f -> f.length == ChurnGenerator.COLUMNS.size() && !f[column].isEmpty())
        .filter(f -> f[3].matches("[0-9.]+") && !f[2].startsWith("-"))
        .mapToDouble(f -> Double.parseDouble(f[column])).average().orElseThrow();
  }

  private static double churnRate(ChurnGenerator.Day day) {
    return day.lines().stream().skip(1).mapToInt(l -> l.endsWith(",1") ? 1 : 0).average().orElseThrow();
  }

  /** The line's fields without the given columns (those a line has). */
  private static List<String> without(String line, int... columns) {
    List<String> f = new ArrayList<>(Arrays.asList(line.split(",", -1)));
    for (int k = columns.length - 1; k >= 0; k--) {
      if (columns[k] < f.size()) {
        f.remove(columns[k]);
      }
    }
    return f;
  }

  private static double trueProbability(String line) {
    return probability(line, ChurnGenerator.TRUE_MODEL);
  }

  private static double probability(String line, Map<String, Double> m) {
    String[] f = line.split(",", -1);
    double usage = f[5].isEmpty() ? Double.NaN : Double.parseDouble(f[5]);
    double logit = m.get("intercept") + m.get("tenure_months") * Integer.parseInt(f[2])
        + m.get("monthly_charges") * Double.parseDouble(f[3]) + m.get("support_calls") * Integer.parseInt(f[4])
        + (Double.isNaN(usage) ? m.get("data_usage_gb") * Math.exp(2 + 0.18) : m.get("data_usage_gb") * usage)
        + m.getOrDefault("plan=" + f[6], 0.0) + m.getOrDefault("region=" + f[7], 0.0)
        + (Boolean.parseBoolean(f[8]) ? m.get("autopay") : 0.0);
    return 1 / (1 + Math.exp(-logit));
  }
}
