package dev.glmpipe.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glmpipe.RunFigures;
import dev.glmpipe.io.JsonFiles;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a monitor run tells its run record: per date from its rows, per run from its dates. */
class MonitorFiguresTest {
  private static final String DT = "2026-11-08";

  @Test
  void aDatesFiguresComeFromItsDriftRowsAndTheNewestVersionsEstimate() {
    List<MonitoringRow> rows = List.of(
        row("v1", MonitoringRow.INPUT_DRIFT, "psi", 0.12, "warn"),
        row("v2", MonitoringRow.SCORE_DRIFT, "psi", 0.31, "alert"),
        row("v2", MonitoringRow.INPUT_DRIFT, "linf", 0.9, "alert"),  // not a PSI
        row("v1", MonitoringRow.ESTIMATED_PERFORMANCE, "auc_roc", 0.70, null),
        row("v2", MonitoringRow.ESTIMATED_PERFORMANCE, "auc_roc", 0.80, null));
    MonitorDates.DateResult d = MonitorDates.DateResult.of(DT, List.of("v1", "v2"), 100, rows, "p");
    assertThat(d.maxPsi()).isEqualTo(0.31);
    assertThat(d.estimatedAuc()).isEqualTo(0.80);
    assertThat(d.warnings()).isEqualTo(1);
    assertThat(d.alerts()).hasSize(2);

    MonitorDates.DateResult quiet = MonitorDates.DateResult.of(DT, List.of("v1"), 5, List.of(), "p");
    assertThat(quiet.maxPsi()).isNull();
    assertThat(quiet.estimatedAuc()).isNull();
  }

  @Test
  void aDriftRunReportsAlertsTheLargestPsiAndTheNewestDatesEstimate() {
    MonitorDates.Result result = new MonitorDates.Result("monitor", "churn", "drift", List.of(
        new MonitorDates.DateResult("2026-11-09", List.of("v2"), 30, 0, List.of(), "p", 0.05, 0.81),
        new MonitorDates.DateResult("2026-11-08", List.of("v1", "v2"), 20, 1, List.of(), "p", 0.4, 0.7)),
        List.of(), 3, "report", "t", null);
    RunFigures f = result.runFigures();
    assertThat(f.rowsIn()).isEqualTo(50);
    assertThat(f.rowsOut()).isNull();
    assertThat(f.modelVersion()).isEqualTo("v2");
    assertThat(f.dates()).containsExactly("2026-11-09", "2026-11-08");
    assertThat(f.gauges()).containsOnlyKeys("monitor_drift_alerts", "monitor_max_psi", "monitor_estimated_auc")
        .containsEntry("monitor_drift_alerts", 3.0).containsEntry("monitor_max_psi", 0.4)
        .containsEntry("monitor_estimated_auc", 0.81);
    // The accessor is no getter: the printed result does not carry the figures.
    assertThat(JsonFiles.toJsonLine(result)).doesNotContain("figures").contains("\"max_psi\":0.05");
  }

  @Test
  void aRealizedRunReportsTheNewestMeasuredDatesAuc() {
    MonitorDates.Result result = new MonitorDates.Result("monitor", "churn", "realized", List.of(), List.of(
        new MonitorDates.RealizedDate("2026-11-01", "v1", 100, 90, 0.9, 0.75, null, false, 0),
        new MonitorDates.RealizedDate("2026-11-03", "v1", 100, 0, 0.0, null, null, false, 0),
        new MonitorDates.RealizedDate("2026-11-02", "v1", 100, 50, 0.5, 0.72, null, false, 1)),
        1, "report", "t", null);
    RunFigures f = result.runFigures();
    assertThat(f.rowsIn()).isEqualTo(300);
    assertThat(f.modelVersion()).isEqualTo("v1");
    assertThat(f.dates()).containsExactly("2026-11-01", "2026-11-03", "2026-11-02");
    assertThat(f.gauges()).containsOnlyKeys("monitor_realized_alerts", "monitor_realized_auc")
        .containsEntry("monitor_realized_alerts", 1.0).containsEntry("monitor_realized_auc", 0.72);
  }

  private static MonitoringRow row(String version, String kind, String metric, double value, String status) {
    return new MonitoringRow(DT, "churn", version, kind, "x", metric, value, status == null ? null : "fixed",
        status == null ? null : 0.1, status == null ? null : 0.25, status, 10, null, "now", "run");
  }
}
