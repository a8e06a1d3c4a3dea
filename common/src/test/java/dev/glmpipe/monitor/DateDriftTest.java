package dev.glmpipe.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.glmpipe.baseline.Baseline;
import dev.glmpipe.config.MonitorConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Drift rows of one date from hand-made counts, each figure checked by hand. */
class DateDriftTest {
  private static final DateDrift.Stamp STAMP = new DateDrift.Stamp("2026-11-08", "churn", "v1", "now", "monitor-run");

  /** x: edges 0, 10, 20 → bins below 0, [0,10), [10,20), at or above 20, null. Mean 10, std 5. */
  private static Baseline.Column numeric(List<Long> counts) {
    return new Baseline.Column("x", "numeric", "CAST(x AS DOUBLE)", List.of(0.0, 10.0, 20.0), null, counts, 10.0, 5.0);
  }

  /** plan: levels a, b, then __other__, __null__. */
  private static Baseline.Column plan(List<Long> counts) {
    return new Baseline.Column("plan", "categorical", "plan", null, List.of("a", "b"), counts, null, null);
  }

  private static Baseline baseline(List<Baseline.Chunk> chunks) {
    return new Baseline("v1", Baseline.TRAIN, 2, 100, List.of(numeric(List.of(0L, 50L, 50L, 0L, 0L)),
        plan(List.of(60L, 40L, 0L, 0L))), null, 0, chunks);
  }

  @Test
  void everyMetricMatchesAHandComputation() {
    DateDrift drift = new DateDrift(baseline(List.of()), new DriftBands(MonitorConfig.defaults()));
    // x: 80 in [0,10), 20 in [10,20), no nulls; values summing to 600 (mean 6).
    List<MonitoringRow> rows = drift.rows(STAMP, 100, Map.of(
        "x", new DateDrift.Observed(new long[] {0, 80, 20, 0, 0}, 600.0),
        "plan", new DateDrift.Observed(new long[] {50, 30, 10, 10}, null)), null);
    // PSI over the two filled bins (the empty bins are empty on both sides and add 0):
    // (0.8-0.5)·ln(0.8/0.5) + (0.2-0.5)·ln(0.2/0.5) = 0.3·0.47000 + 0.3·0.91629 = 0.41589
    assertThat(value(rows, "x", "psi")).isCloseTo(0.3 * Math.log(1.6) + 0.3 * Math.log(2.5), within(1e-12));
    assertThat(status(rows, "x", "psi")).isEqualTo("alert");
    assertThat(value(rows, "x", "linf")).isCloseTo(0.3, within(1e-12));
    // Mean 600/100 = 6 against 10, std 5: -0.8 standard deviations; alerts by magnitude.
    assertThat(value(rows, "x", "mean_shift_std")).isCloseTo(-0.8, within(1e-12));
    assertThat(status(rows, "x", "mean_shift_std")).isEqualTo("alert");
    assertThat(value(rows, "x", "null_rate_change")).isZero();
    // plan: 10% unseen (warn at 5%, alert at 10%), nulls 0% → 10%.
    assertThat(value(rows, "plan", "unseen_share")).isCloseTo(0.1, within(1e-12));
    assertThat(status(rows, "plan", "unseen_share")).isEqualTo("alert");
    assertThat(value(rows, "plan", "null_rate_change")).isCloseTo(0.1, within(1e-12));
    assertThat(rows.stream().filter(r -> r.metric().equals("rows"))).singleElement()
        .satisfies(r -> assertThat(r.value()).isEqualTo(100.0));
  }

  @Test
  void aFeatureThatMovedAsMuchOnTrainingDaysNeedsTheLearnedBandToo() {
    // Training days whose own x split swung between 30/70, 70/30, 40/60 and 60/40 against the
    // 50/50 baseline: PSI 0.2·ln(1.4) + 0.2·ln(5/3) = 0.2·ln(7/3) = 0.1695 on two days,
    // 0.1·ln(1.2) + 0.1·ln(1.25) = 0.1·ln(1.5) = 0.0405 on two. Mean 0.1050, std 0.0645:
    // learned warn = mean + 2·std = 0.2340, alert = mean + 3·std = 0.2985.
    List<Baseline.Chunk> chunks = List.of(
        chunk(List.of(0L, 30L, 70L, 0L, 0L)), chunk(List.of(0L, 70L, 30L, 0L, 0L)), chunk(List.of(0L, 40L, 60L, 0L, 0L)),
        chunk(List.of(0L, 60L, 40L, 0L, 0L)));
    DateDrift drift = new DateDrift(baseline(chunks), new DriftBands(MonitorConfig.defaults()));
    List<MonitoringRow> rows = drift.rows(STAMP, 100, Map.of(
        "x", new DateDrift.Observed(new long[] {0, 70, 30, 0, 0}, 1000.0),
        "plan", new DateDrift.Observed(new long[] {60, 40, 0, 0}, null)), null);
    MonitoringRow psi = row(rows, "x", "psi");
    double high = 0.2 * Math.log(7.0 / 3);
    double low = 0.1 * Math.log(1.5);
    double mean = (high + low) / 2;
    double std = (high - low) / 2;
    assertThat(psi.value()).isCloseTo(high, within(1e-12));
    // Past the fixed warn band (0.1), but as large as training days went: not a warning, and
    // the learned band is the one that decided.
    assertThat(psi.status()).isEqualTo("ok");
    assertThat(psi.band()).isEqualTo("learned");
    assertThat(psi.warnAt()).isCloseTo(mean + 2 * std, within(1e-12));
    assertThat(psi.alertAt()).isCloseTo(mean + 3 * std, within(1e-12));
    // plan never moved on training days: learned bands of 0 lose to the fixed ones, which decide.
    assertThat(row(rows, "plan", "psi").band()).isEqualTo("fixed");
    assertThat(row(rows, "plan", "psi").status()).isEqualTo("ok");
  }

  @Test
  void fixedBandsComeFromConfigPerFeatureBeforePerMetric() {
    MonitorConfig config = new MonitorConfig(null, null, null, Map.of("psi", new MonitorConfig.Band(0.5, 0.6)),
        Map.of("x", Map.of("psi", new MonitorConfig.Band(0.01, 0.02))), null);
    DriftBands bands = new DriftBands(config);
    assertThat(bands.fixed("x", "psi")).isEqualTo(new DriftMetrics.Bands(0.01, 0.02));
    assertThat(bands.fixed("plan", "psi")).isEqualTo(new DriftMetrics.Bands(0.5, 0.6));
    assertThat(bands.fixed("plan", "linf")).isEqualTo(DriftBands.DEFAULTS.get("linf"));
  }

  private static Baseline.Chunk chunk(List<Long> x) {
    return new Baseline.Chunk("2026-11-01", 100, Map.of("x", x, "plan", List.of(60L, 40L, 0L, 0L)),
        Map.of("x", 1000.0), 0, null);
  }

  private static MonitoringRow row(List<MonitoringRow> rows, String feature, String metric) {
    return rows.stream().filter(r -> feature.equals(r.feature()) && r.metric().equals(metric)).findFirst().orElseThrow();
  }

  private static double value(List<MonitoringRow> rows, String feature, String metric) {
    return row(rows, feature, metric).value();
  }

  private static String status(List<MonitoringRow> rows, String feature, String metric) {
    return row(rows, feature, metric).status();
  }
}
