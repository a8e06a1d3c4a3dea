package dev.glmpipe.monitor;

import dev.glmpipe.baseline.BinnedCounts;
import dev.glmpipe.baseline.Baseline;
import static org.assertj.core.api.Assertions.assertThat;

import dev.glmpipe.testing.HeadlessChromium;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitoring report is one self-contained file: alerts listed, text escaped, every chart
 * drawn (or a "no data yet" note when its rows are missing), and headless Chromium shows it.
 *
 * <p>A time limit guards against a chart whose axis never settles (XChart's tick search loops
 * for as long as two tick labels are equal).
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MonitoringReportTest {
  private static final String MODEL = "churn";
  private static final String V1 = "20261020-000000-aaaa";
  private static final String V2 = "20261105-000000-bbbb";
  private static final List<String> FEATURES = List.of("tenure_months", "support_calls", "plan", "monthly_charges", "region<b>");
  private static final double[] EDGES = {0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};

  @TempDir Path tmp;

  @Test
  void tenDatesShowAlertsEveryChartAndRenderInHeadlessChromium() throws Exception {
    List<String> dates = dates(10);
    String html = MonitoringReport.render(MODEL, rows(dates), baseline(), 0.81);

    // Self-contained: nothing fetched, charts inlined.
    assertThat(html).doesNotContain("http://", "https://", "<script", "<link", "url(");
    assertThat(html.split("<img ", -1)).hasSize(1 + 6);  // PSI heat map, distribution, score PSI, AUC, coverage, rows
    assertThat(html.split("src=\"data:image/png;base64,", -1)).hasSize(1 + 6);
    assertThat(html).doesNotContain("could not be drawn", MonitoringReport.NO_DATA);

    // Header: versions, dates, newest computed_at, the alert summary.
    assertThat(html).contains(V1 + ", " + V2, "2026-11-01 … 2026-11-10 (10 dates)", "2026-11-11T03:00:00Z", "3 alerts</span> on 3 dates",
        "newest date 2026-11-10: 1 alert.");

    // The alert table: support_calls on the last three dates, newest first, then the warning.
    String alerts = html.substring(html.indexOf("<table class=\"alerts\">"), html.indexOf("</table>", html.indexOf("<table class=\"alerts\">")));
    List<String> alertLines = alerts.lines().filter(l -> l.contains("class=\"alert\"")).toList();
    assertThat(alertLines).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertThat(alertLines.get(i)).contains("<td class=\"l\">" + dates.get(9 - i) + "</td>", "<td class=\"l\">support_calls</td>",
          "<td class=\"l\">input_drift</td>", "<td class=\"l\">psi</td>", "<td>0.1000</td>", "<td>0.2500</td>", "learned");
    }
    assertThat(alerts.indexOf("class=\"warn\"")).as("warnings after alerts").isGreaterThan(alerts.lastIndexOf("class=\"alert\""));
    assertThat(alerts).contains("<td class=\"l\">region&lt;b&gt;</td>");

    // Escaped everywhere: the raw tag never reaches the page.
    assertThat(html).doesNotContain("region<b>").contains("region&lt;b&gt;");

    // Realized AUC: final and not final dates in the table.
    assertThat(html).contains("<td class=\"l\">2026-11-04</td><td>0.7900</td><td>0.7800</td><td class=\"l\">yes</td>",
        "<td class=\"l\">2026-11-07</td><td>0.7900</td><td>0.7500</td><td class=\"l\">no</td>");

    HeadlessChromium.render(html, tmp, "monitoring", 1280, 4200).keep("monitoring-report").assertNotBlank(20_000);
  }

  @Test
  void sixtyDatesKeepEveryChart() throws Exception {
    List<String> dates = dates(60);
    String html = MonitoringReport.render(MODEL, rows(dates), baseline(), 0.81);
    assertThat(html.split("<img ", -1)).hasSize(1 + 6);
    assertThat(html).doesNotContain("could not be drawn", MonitoringReport.NO_DATA, "http://", "https://")
        .contains("The newest 7 of 60 dates are drawn");
    HeadlessChromium.render(html, tmp, "monitoring-60", 1280, 4200).keep("monitoring-report").assertNotBlank(20_000);
  }

  @Test
  void oneDateWithoutLabelsOrBaselineSaysNoDataYet() throws Exception {
    String dt = "2026-11-01";
    List<MonitoringRow> rows = new ArrayList<>();
    for (String f : FEATURES) {
      rows.add(psi(dt, V1, f, 0.03, "ok"));
    }
    rows.add(row(dt, V1, MonitoringRow.DATA_QUALITY, null, "rows", 5000.0, 5000, null));
    rows.add(row(dt, V1, MonitoringRow.SCORE_DRIFT, "score", "psi", 0.02, 5000, null));
    String html = MonitoringReport.render(MODEL, rows, null, null);
    assertThat(html).contains(MonitoringReport.NO_DATA, "no realized performance", "No metric is at warn or alert",
        "2026-11-01 … 2026-11-01 (1 date)").doesNotContain("could not be drawn", "http://", "https://", "region<b>");
    assertThat(html.split("<img ", -1)).hasSize(1 + 3);  // heat map, score PSI, rows
    HeadlessChromium.render(html, tmp, "monitoring-sparse", 1280, 2400).keep("monitoring-report").assertNotBlank(1_000);

    // Nothing at all, or a null row list: still a page.
    assertThat(MonitoringReport.render(MODEL, List.of(), null, null)).contains(MonitoringReport.NO_DATA);
    assertThat(MonitoringReport.render("<m>", null, baseline(), 0.8)).contains(MonitoringReport.NO_DATA, "&lt;m&gt;");
    // Realized without estimated, one date; a baseline without distribution rows.
    List<MonitoringRow> realizedOnly = List.of(realized(dt, 0.7, true), row(dt, V1, MonitoringRow.REALIZED_PERFORMANCE, null,
        "label_coverage", 0.4, 2000, true));
    assertThat(MonitoringReport.render(MODEL, realizedOnly, baseline(), 0.8))
        .contains("no estimated performance rows", "only the baseline is drawn").doesNotContain("could not be drawn");
  }

  // ------------------------------------------------------------------------------ fixtures

  private static List<String> dates(int n) {
    LocalDate first = LocalDate.parse("2026-11-01");
    List<String> dates = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      dates.add(first.plusDays(i).toString());
    }
    return dates;
  }

  /**
   * Per date: PSI of five inputs (support_calls drifts to alert on the last three dates,
   * region&lt;b&gt; warns on the fourth-last), the score's distribution and PSI, estimated AUC,
   * realized AUC and label coverage up to three dates before the end (the last three of those
   * not final yet), rows scored. Version 2 takes over on the sixth date.
   */
  private static List<MonitoringRow> rows(List<String> dates) {
    Random random = new Random(3);
    List<Double> base = shares(baselineCounts());
    List<MonitoringRow> rows = new ArrayList<>();
    int n = dates.size();
    for (int d = 0; d < n; d++) {
      String dt = dates.get(d);
      String version = d < Math.min(5, n - 5) ? V1 : V2;
      boolean drifting = d >= n - 3;
      for (String f : FEATURES) {
        if (f.equals("support_calls") && drifting) {
          rows.add(psi(dt, version, f, 0.3 + 0.1 * (d - (n - 3)), "alert"));
        } else if (f.equals("region<b>") && d == n - 4) {
          rows.add(psi(dt, version, f, 0.15, "warn"));
        } else {
          rows.add(psi(dt, version, f, 0.01 + 0.04 * random.nextDouble(), "ok"));
        }
      }
      List<String> labels = BinnedCounts.numeric("score", EDGES).labels();
      double shift = drifting ? 0.4 : 0.05 * random.nextDouble();
      double[] shares = new double[labels.size()];
      double total = 0;
      for (int b = 0; b < labels.size(); b++) {
        // Mass moves towards the high bins as the score drifts.
        shares[b] = base.get(b) * (1 + shift * (b - labels.size() / 2.0) / labels.size() * 4);
        shares[b] = Math.max(shares[b], 0);
        total += shares[b];
      }
      for (int b = 0; b < labels.size(); b++) {
        rows.add(row(dt, version, MonitoringRow.SCORE_DISTRIBUTION, labels.get(b), "share", shares[b] / total, 5000, null));
      }
      rows.add(new MonitoringRow(dt, MODEL, version, MonitoringRow.SCORE_DRIFT, "score", "psi",
          drifting ? 0.18 : 0.01 + 0.02 * random.nextDouble(), "fixed", 0.1, 0.25, drifting ? "warn" : "ok", 5000, null,
          computedAt(dt), null));
      rows.add(row(dt, version, MonitoringRow.ESTIMATED_PERFORMANCE, null, "auc_roc", 0.79, 5000, null));
      if (d < n - 3) {
        boolean isFinal = d < n - 6;
        rows.add(realized(dt, isFinal ? 0.78 : 0.75, isFinal));
        rows.add(row(dt, V1, MonitoringRow.REALIZED_PERFORMANCE, null, "label_coverage", isFinal ? 0.95 : 0.3 + 0.1 * (n - 3 - d), 4000,
            isFinal));
      }
      rows.add(row(dt, version, MonitoringRow.DATA_QUALITY, null, "rows", 5000.0 + 200 * random.nextGaussian(), 5000, null));
    }
    return rows;
  }

  private static MonitoringRow psi(String dt, String version, String feature, double value, String status) {
    return new MonitoringRow(dt, MODEL, version, MonitoringRow.INPUT_DRIFT, feature, "psi", value, "learned", 0.1, 0.25, status, 5000,
        null, computedAt(dt), null);
  }

  private static MonitoringRow realized(String dt, double auc, boolean isFinal) {
    return row(dt, V1, MonitoringRow.REALIZED_PERFORMANCE, null, "auc_roc", auc, 3000, isFinal);
  }

  private static MonitoringRow row(String dt, String version, String kind, String feature, String metric, Double value, long rows,
      Boolean isFinal) {
    return new MonitoringRow(dt, MODEL, version, kind, feature, metric, value, null, null, null, null, rows, isFinal,
        computedAt(dt), null);
  }

  private static String computedAt(String dt) {
    return LocalDate.parse(dt).plusDays(1) + "T03:00:00Z";
  }

  private static List<Long> baselineCounts() {
    // A bell over the 12 score bins, then the null bin.
    List<Long> counts = new ArrayList<>();
    for (int b = 0; b < EDGES.length + 1; b++) {
      counts.add(Math.round(1000 * Math.exp(-Math.pow(b - 5.5, 2) / 8)));
    }
    counts.add(0L);
    return counts;
  }

  private static List<Double> shares(List<Long> counts) {
    double total = counts.stream().mapToLong(Long::longValue).sum();
    return counts.stream().map(c -> c / total).toList();
  }

  private static Baseline baseline() {
    List<Double> edges = java.util.Arrays.stream(EDGES).boxed().toList();
    Baseline.Column score = new Baseline.Column("score", "numeric", "score", edges, null, baselineCounts(), 0.5, 0.15);
    return new Baseline(V2, Baseline.TRAIN, 10, 100_000, List.of(), score, 20_000, List.of());
  }
}
