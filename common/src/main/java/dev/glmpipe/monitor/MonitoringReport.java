package dev.glmpipe.monitor;

import dev.glmpipe.baseline.Baseline;
import static dev.glmpipe.html.Html.esc;
import static dev.glmpipe.html.Html.num;

import dev.glmpipe.html.Charts;
import dev.glmpipe.html.Html;
import java.awt.Color;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * One self-contained HTML page about one model's monitoring table: alerts, input drift (PSI
 * per feature per day as a heat map), the score's distribution against the training baseline,
 * estimated against realized AUC, and rows per day. Charts are PNG data URIs and the style
 * sheet is inline, so the file opens offline. Sparse input (one date, no labels yet, no
 * baseline, a model without estimated performance) gives "no data yet" notes, never an
 * exception.
 *
 * <p>When the table holds the same metric twice for one date (a recomputation, or two versions
 * on one day), the charts use the row computed last; the alert table lists every version's.
 */
public final class MonitoringReport {
  /** Score distribution: dates drawn against the baseline. */
  static final int RECENT_DISTRIBUTIONS = 7;
  /** Warn rows listed beyond the alerts (alerts are always all listed). */
  static final int MAX_WARN_ROWS = 200;
  /** Rows of the performance table (newest dates). */
  static final int MAX_PERFORMANCE_ROWS = 31;
  static final String NO_DATA = "no data yet";
  private static final String PSI = "psi";
  private static final String AUC = "auc_roc";
  private static final String NOT_DRAWN = "chart could not be drawn";
  private static final double DEFAULT_PSI_ALERT = 0.25;

  private static final Comparator<String> NULLS_FIRST = Comparator.nullsFirst(Comparator.naturalOrder());
  /** Later computed_at wins, then the later version: the row a chart shows for a date. */
  private static final Comparator<MonitoringRow> NEWEST = Comparator.comparing(MonitoringRow::computedAt, NULLS_FIRST)
      .thenComparing(MonitoringRow::modelVersion, NULLS_FIRST);

  private MonitoringReport() {}

  /**
   * @param rows the model's monitoring rows, any dates and versions, in any order; may be empty
   * @param baseline the current version's training baseline, or null
   * @param holdoutAuc evaluate's holdout AUC of the current version (a reference line), or null
   */
  public static String render(String modelName, List<MonitoringRow> rows, Baseline baseline, Double holdoutAuc) {
    List<MonitoringRow> all = clean(rows);
    List<String> dates = new ArrayList<>(new TreeSet<>(all.stream().map(MonitoringRow::dt).toList()));
    StringBuilder h = new StringBuilder(128 * 1024);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>").append(esc(modelName)).append(" monitoring</title><style>")
        .append("body{font-family:sans-serif;margin:24px;color:#222;background:#fff}")
        .append("table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}")
        .append("th{background:#f0f0f0}td.l,th.l{text-align:left}img{margin:6px;border:1px solid #ddd;max-width:100%;height:auto}")
        .append(".alert{color:#fff;background:#c62828;padding:1px 6px}.warn{color:#222;background:#fdd835;padding:1px 6px}")
        .append(".ok{color:#fff;background:#2e7d32;padding:1px 6px}.nodata{color:#777;font-style:italic}.note{color:#555}")
        .append("</style></head><body>\n");
    header(h, modelName, all, dates, baseline, holdoutAuc);
    alerts(h, all);
    inputDrift(h, all, dates);
    scoreDistribution(h, all, dates, baseline);
    performance(h, all, dates, holdoutAuc);
    dataQuality(h, all, dates);
    h.append("</body></html>\n");
    return h.toString();
  }

  /** Without nulls and unusable rows; one row per date, version, kind, feature and metric (the newest). */
  private static List<MonitoringRow> clean(List<MonitoringRow> rows) {
    Map<List<String>, MonitoringRow> kept = new LinkedHashMap<>();
    if (rows != null) {
      for (MonitoringRow r : rows) {
        if (r == null || r.dt() == null || r.kind() == null) {
          continue;
        }
        kept.merge(java.util.Arrays.asList(r.dt(), r.modelVersion(), r.kind(), r.feature(), r.metric()), r,
            (a, b) -> NEWEST.compare(a, b) >= 0 ? a : b);
      }
    }
    return List.copyOf(kept.values());
  }

  // ---------------------------------------------------------------------------------- header

  private static void header(StringBuilder h, String modelName, List<MonitoringRow> all, List<String> dates, Baseline baseline,
      Double holdoutAuc) {
    h.append("<h1>").append(esc(modelName)).append(" — monitoring</h1>\n");
    if (all.isEmpty()) {
      h.append("<p class=\"nodata\">").append(NO_DATA).append(": the monitoring table has no rows for this model.</p>\n");
      return;
    }
    String newest = dates.get(dates.size() - 1);
    Set<String> versions = new TreeSet<>(NULLS_FIRST);
    all.forEach(r -> versions.add(r.modelVersion()));
    String computedAt = all.stream().filter(r -> r.dt().equals(newest)).map(MonitoringRow::computedAt).filter(Objects::nonNull)
        .max(Comparator.naturalOrder()).orElse("");
    h.append("<table>")
        .append("<tr><th class=\"l\">versions seen</th><td class=\"l\">").append(esc(String.join(", ", versions.stream()
            .map(v -> v == null ? "(none)" : v).toList()))).append("</td></tr>")
        .append("<tr><th class=\"l\">dates covered</th><td class=\"l\">").append(esc(dates.get(0))).append(" … ").append(esc(newest))
        .append(" (").append(dates.size()).append(dates.size() == 1 ? " date" : " dates").append(")</td></tr>")
        .append("<tr><th class=\"l\">newest date computed at</th><td class=\"l\">").append(esc(computedAt)).append("</td></tr>")
        .append("<tr><th class=\"l\">baseline</th><td class=\"l\">").append(baseline == null ? "none"
            : esc(baseline.modelVersion() + " (" + baseline.source() + ", " + baseline.rows() + " training rows)")).append("</td></tr>")
        .append("<tr><th class=\"l\">holdout AUC</th><td class=\"l\">").append(holdoutAuc == null ? "unknown" : num(holdoutAuc))
        .append("</td></tr></table>\n");
    long alerts = all.stream().filter(MonitoringRow::alerting).count();
    long warns = all.stream().filter(r -> "warn".equals(r.status())).count();
    long newestAlerts = all.stream().filter(r -> r.alerting() && r.dt().equals(newest)).count();
    Set<String> alertDates = new TreeSet<>();
    all.stream().filter(MonitoringRow::alerting).forEach(r -> alertDates.add(r.dt()));
    h.append("<p class=\"summary\"><span class=\"").append(alerts > 0 ? "alert" : warns > 0 ? "warn" : "ok").append("\">")
        .append(alerts).append(alerts == 1 ? " alert" : " alerts").append("</span> on ").append(alertDates.size())
        .append(alertDates.size() == 1 ? " date" : " dates").append(", ").append(warns).append(warns == 1 ? " warning" : " warnings")
        .append("; newest date ").append(esc(newest)).append(": ").append(newestAlerts).append(newestAlerts == 1 ? " alert." : " alerts.")
        .append("</p>\n");
  }

  // ---------------------------------------------------------------------------------- alerts

  private static void alerts(StringBuilder h, List<MonitoringRow> all) {
    h.append("<h2>Alerts and warnings</h2>\n");
    Comparator<MonitoringRow> order = Comparator.comparing(MonitoringRow::dt).reversed()
        .thenComparing(MonitoringRow::kind).thenComparing(MonitoringRow::feature, NULLS_FIRST)
        .thenComparing(MonitoringRow::metric, NULLS_FIRST).thenComparing(MonitoringRow::modelVersion, NULLS_FIRST);
    List<MonitoringRow> alerts = all.stream().filter(MonitoringRow::alerting).sorted(order).toList();
    List<MonitoringRow> warns = all.stream().filter(r -> "warn".equals(r.status())).sorted(order).toList();
    if (alerts.isEmpty() && warns.isEmpty()) {
      h.append("<p>No metric is at warn or alert.</p>\n");
      return;
    }
    h.append("<table class=\"alerts\"><tr><th class=\"l\">status</th><th class=\"l\">date</th><th class=\"l\">version</th>")
        .append("<th class=\"l\">kind</th><th class=\"l\">feature</th><th class=\"l\">metric</th><th>value</th><th class=\"l\">band</th>")
        .append("<th>warn at</th><th>alert at</th><th>rows</th></tr>\n");
    alerts.forEach(r -> alertRow(h, r));
    warns.stream().limit(MAX_WARN_ROWS).forEach(r -> alertRow(h, r));
    h.append("</table>\n");
    if (warns.size() > MAX_WARN_ROWS) {
      h.append("<p class=\"note\">… and ").append(warns.size() - MAX_WARN_ROWS).append(" older warnings.</p>\n");
    }
  }

  private static void alertRow(StringBuilder h, MonitoringRow r) {
    h.append("<tr><td class=\"l\"><span class=\"").append(r.alerting() ? "alert" : "warn").append("\">").append(esc(r.status()))
        .append("</span></td><td class=\"l\">").append(esc(r.dt())).append("</td><td class=\"l\">").append(esc(r.modelVersion()))
        .append("</td><td class=\"l\">").append(esc(r.kind())).append("</td><td class=\"l\">").append(esc(r.feature()))
        .append("</td><td class=\"l\">").append(esc(r.metric())).append("</td><td>").append(num(r.value())).append("</td><td class=\"l\">")
        .append(esc(r.band())).append("</td><td>").append(num(r.warnAt())).append("</td><td>").append(num(r.alertAt()))
        .append("</td><td>").append(r.rows()).append("</td></tr>\n");
  }

  // ---------------------------------------------------------------------------------- input drift

  private static void inputDrift(StringBuilder h, List<MonitoringRow> all, List<String> dates) {
    h.append("<h2>Input drift: PSI per feature per day</h2>\n");
    Map<String, Map<String, MonitoringRow>> byFeature = new TreeMap<>();
    for (MonitoringRow r : all) {
      if (MonitoringRow.INPUT_DRIFT.equals(r.kind()) && PSI.equals(r.metric()) && r.feature() != null && finite(r.value())) {
        byFeature.computeIfAbsent(r.feature(), f -> new TreeMap<>()).merge(r.dt(), r, (a, b) -> NEWEST.compare(a, b) >= 0 ? a : b);
      }
    }
    if (byFeature.isEmpty()) {
      noData(h, "no input drift (PSI) rows.");
      return;
    }
    List<String> psiDates = new ArrayList<>(new TreeSet<>(byFeature.values().stream().flatMap(m -> m.keySet().stream()).toList()));
    List<String> features = new ArrayList<>(byFeature.keySet());
    List<String> rowsBottomUp = new ArrayList<>(features);
    java.util.Collections.reverse(rowsBottomUp);  // first feature at the top
    double alertAt = DEFAULT_PSI_ALERT;
    double max = 0;
    List<Number[]> cells = new ArrayList<>();
    for (int y = 0; y < rowsBottomUp.size(); y++) {
      for (Map.Entry<String, MonitoringRow> e : byFeature.get(rowsBottomUp.get(y)).entrySet()) {
        MonitoringRow r = e.getValue();
        cells.add(new Number[] {psiDates.indexOf(e.getKey()), y, r.value()});
        max = Math.max(max, r.value());
        if (finite(r.alertAt()) && r.alertAt() > 0) {
          alertAt = r.alertAt();
        }
      }
    }
    double scaleMax = Math.max(alertAt, max);
    List<String> labels = psiDates.size() > 1 && psiDates.size() > 20 ? thin(psiDates) : psiDates;
    // Values are printed in the cells while there is room for them (two decimals need ~44 px).
    boolean values = psiDates.size() <= 14 && features.size() <= 30;
    int width = Math.min(1400, Math.max(Charts.WIDTH, 220 + (values ? 48 : 14) * psiDates.size() + 7 * longest(features)));
    int height = Math.min(1400, Math.max(Charts.HEIGHT, 160 + 26 * features.size()));
    chart(h, () -> Charts.heatMap("PSI by feature and date", "date", "", labels, rowsBottomUp, cells, 0, scaleMax,
        Charts.GREEN_TO_RED, values, width, height), "PSI heat map");
    h.append(String.format(Locale.ROOT, "<p class=\"note\">Colour runs from green (PSI 0) through yellow to red (PSI %.2f or more; "
        + "the alert threshold is %.2f). Blank cells: no PSI for that feature on that date.</p>%n", scaleMax, alertAt));
  }

  /** Every label when few; otherwise about 20 of them, blanks between (distinct, so the axis keeps every column). */
  private static List<String> thin(List<String> labels) {
    int step = (int) Math.ceil(labels.size() / 20.0);
    List<String> out = new ArrayList<>(labels.size());
    for (int i = 0; i < labels.size(); i++) {
      out.add(i % step == 0 || i == labels.size() - 1 ? labels.get(i) : " ".repeat(i % step));
    }
    return out;
  }

  private static int longest(List<String> names) {
    return names.stream().mapToInt(String::length).max().orElse(0);
  }

  // ---------------------------------------------------------------------------------- score distribution

  private static void scoreDistribution(StringBuilder h, List<MonitoringRow> all, List<String> dates, Baseline baseline) {
    h.append("<h2>Score distribution against the baseline</h2>\n");
    List<String> baselineBins = baselineBins(baseline);
    List<Double> baselineShares = baselineBins == null ? null : shares(baseline.score().counts());
    Map<String, Map<String, Double>> byDate = new TreeMap<>();
    Set<String> bins = new LinkedHashSet<>(baselineBins == null ? List.of() : baselineBins);
    for (MonitoringRow r : all.stream().filter(r -> MonitoringRow.SCORE_DISTRIBUTION.equals(r.kind()) && r.feature() != null
        && (r.metric() == null || "share".equals(r.metric())) && finite(r.value())).sorted(NEWEST).toList()) {
      byDate.computeIfAbsent(r.dt(), d -> new LinkedHashMap<>()).put(r.feature(), r.value());
      bins.add(r.feature());
    }
    if (byDate.isEmpty() && baselineShares == null) {
      noData(h, "no score distribution rows and no baseline.");
    } else {
      List<String> binList = new ArrayList<>(bins);
      List<String> recent = new ArrayList<>(byDate.keySet());
      recent = recent.subList(Math.max(0, recent.size() - RECENT_DISTRIBUTIONS), recent.size());
      List<String> shown = recent;
      chart(h, () -> distributionChart(binList, baselineBins, baselineShares, byDate, shown), "score distribution");
      if (byDate.isEmpty()) {
        noData(h, "no score distribution rows: only the baseline is drawn.");
      } else if (byDate.size() > shown.size()) {
        h.append("<p class=\"note\">The newest ").append(shown.size()).append(" of ").append(byDate.size())
            .append(" dates are drawn; the PSI below covers all of them.</p>\n");
      }
      if (baselineShares == null) {
        h.append("<p class=\"note\">No baseline score distribution: nothing to compare the dates with.</p>\n");
      }
    }
    // The score's PSI over time.
    TreeMap<String, MonitoringRow> psi = series(all, MonitoringRow.SCORE_DRIFT, PSI, "score");
    if (psi.isEmpty()) {
      noData(h, "no score drift (PSI) rows.");
      return;
    }
    chart(h, () -> {
      XYChart chart = Charts.ordinalLines("Score PSI by date", "date", "PSI", dates, timeWidth(dates), Charts.HEIGHT);
      addDated(chart, "score PSI", dates, psi, null);
      MonitoringRow last = psi.lastEntry().getValue();
      double x0 = 0;
      double x1 = dates.size() - 1;
      if (finite(last.warnAt())) {
        Charts.addReference(chart, "warn at", x0, x1, last.warnAt(), new Color(0xf9a825));
      }
      if (finite(last.alertAt())) {
        Charts.addReference(chart, "alert at", x0, x1, last.alertAt(), new Color(0xc62828));
      }
      return chart;
    }, "score PSI over time");
  }

  /** The baseline's score bin labels, or null when there is no usable score column. */
  private static List<String> baselineBins(Baseline baseline) {
    if (baseline == null || baseline.score() == null || baseline.score().counts() == null || baseline.score().counts().isEmpty()) {
      return null;
    }
    List<Long> counts = baseline.score().counts();
    List<String> labels;
    try {
      labels = baseline.score().bins().labels();
    } catch (RuntimeException e) {
      labels = null;
    }
    if (labels == null || labels.size() != counts.size()) {
      labels = new ArrayList<>();
      for (int i = 0; i < counts.size(); i++) {
        labels.add("bin " + i);
      }
    }
    return labels;
  }

  private static List<Double> shares(List<Long> counts) {
    double total = counts.stream().mapToLong(c -> c == null ? 0 : c).sum();
    return counts.stream().map(c -> total > 0 && c != null ? c / total : 0.0).toList();
  }

  private static CategoryChart distributionChart(List<String> bins, List<String> baselineBins, List<Double> baselineShares,
      Map<String, Map<String, Double>> byDate, List<String> shown) {
    CategoryChart chart = new CategoryChartBuilder().width(Math.min(1200, Math.max(Charts.WIDTH, 200 + 40 * bins.size())))
        .height(Charts.HEIGHT + 60).title("Score distribution: share of rows per bin").xAxisTitle("score bin").yAxisTitle("share").build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setXAxisLabelRotation(bins.size() > 6 ? 45 : 0);
    chart.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
    chart.getStyler().setOverlapped(true);
    chart.getStyler().setYAxisMin(0.0);
    if (baselineShares != null) {
      Map<String, Double> base = new LinkedHashMap<>();
      for (int i = 0; i < baselineBins.size(); i++) {
        base.put(baselineBins.get(i), baselineShares.get(i));
      }
      CategorySeries s = chart.addSeries("baseline", bins, bins.stream().map(b -> base.getOrDefault(b, 0.0)).toList());
      s.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Bar);
      s.setFillColor(new Color(0xcfd8dc));
      s.setLineColor(new Color(0x90a4ae));
      s.setMarker(SeriesMarkers.NONE);
    }
    int i = 0;
    for (String dt : shown) {
      Map<String, Double> shares = byDate.get(dt);
      CategorySeries s = chart.addSeries(dt, bins, bins.stream().map(b -> shares.getOrDefault(b, 0.0)).toList());
      s.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
      s.setMarker(SeriesMarkers.CIRCLE);
      // Older dates paler, the newest darkest.
      float t = shown.size() == 1 ? 1f : (float) i / (shown.size() - 1);
      s.setLineColor(blend(new Color(0x90caf9), new Color(0x0d47a1), t));
      s.setMarkerColor(blend(new Color(0x90caf9), new Color(0x0d47a1), t));
      i++;
    }
    return chart;
  }

  private static Color blend(Color a, Color b, float t) {
    return new Color(Math.round(a.getRed() + (b.getRed() - a.getRed()) * t), Math.round(a.getGreen() + (b.getGreen() - a.getGreen()) * t),
        Math.round(a.getBlue() + (b.getBlue() - a.getBlue()) * t));
  }

  // ---------------------------------------------------------------------------------- performance

  private static void performance(StringBuilder h, List<MonitoringRow> all, List<String> dates, Double holdoutAuc) {
    h.append("<h2>Estimated and realized AUC</h2>\n");
    TreeMap<String, MonitoringRow> estimated = series(all, MonitoringRow.ESTIMATED_PERFORMANCE, AUC, null);
    TreeMap<String, MonitoringRow> realized = series(all, MonitoringRow.REALIZED_PERFORMANCE, AUC, null);
    TreeMap<String, MonitoringRow> coverage = series(all, MonitoringRow.REALIZED_PERFORMANCE, "label_coverage", null);
    if (estimated.isEmpty() && realized.isEmpty()) {
      noData(h, "no AUC rows: no realized performance (labels have not arrived for any scored date) and no estimated "
          + "performance (not computed for every model).");
    } else {
      TreeMap<String, MonitoringRow> finals = new TreeMap<>();
      TreeMap<String, MonitoringRow> provisional = new TreeMap<>();
      realized.forEach((dt, r) -> (Boolean.FALSE.equals(r.isFinal()) ? provisional : finals).put(dt, r));
      chart(h, () -> {
        XYChart chart = Charts.ordinalLines("AUC by scored date", "date", "AUC", dates, timeWidth(dates), Charts.HEIGHT + 40);
        if (holdoutAuc != null && finite(holdoutAuc)) {
          Charts.addReference(chart, "holdout AUC", 0, dates.size() - 1, holdoutAuc, Color.GRAY);
        }
        if (!estimated.isEmpty()) {
          addDated(chart, "estimated", dates, estimated, new Color(0x6a1b9a));
        }
        if (!finals.isEmpty()) {
          XYSeries s = addDated(chart, "realized (final)", dates, finals, new Color(0x1565c0));
          s.setMarker(SeriesMarkers.CIRCLE);
        }
        if (!provisional.isEmpty()) {
          // Joined to the last final date so the line runs on, dashed, with hollow markers.
          TreeMap<String, MonitoringRow> tail = new TreeMap<>(provisional);
          Map.Entry<String, MonitoringRow> before = finals.lowerEntry(provisional.firstKey());
          if (before != null) {
            tail.put(before.getKey(), before.getValue());
          }
          XYSeries s = addDated(chart, "realized (not final)", dates, tail, new Color(0x1565c0));
          s.setLineStyle(SeriesLines.DASH_DASH);
          s.setMarker(Charts.hollowCircle());
        }
        return chart;
      }, "estimated and realized AUC");
      h.append("<p class=\"note\">Realized AUC: filled markers for dates whose label window has closed, hollow markers on a dashed "
          + "line for dates still collecting labels.");
      h.append(holdoutAuc == null ? " No holdout AUC to compare with." : " Grey dashed line: the holdout AUC, " + num(holdoutAuc) + ".");
      h.append("</p>\n");
      if (estimated.isEmpty()) {
        noData(h, "no estimated performance rows for this model.");
      }
      if (realized.isEmpty()) {
        noData(h, "no realized performance: labels have not arrived for any scored date.");
      }
    }
    if (coverage.isEmpty()) {
      noData(h, "no label coverage rows.");
    } else {
      chart(h, () -> {
        XYChart chart = Charts.ordinalLines("Label coverage by scored date", "date", "share of rows labelled", dates, timeWidth(dates),
            Charts.HEIGHT);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        addDated(chart, "label coverage", dates, coverage, new Color(0x00838f)).setMarker(SeriesMarkers.CIRCLE);
        return chart;
      }, "label coverage");
    }
    Set<String> perfDates = new TreeSet<>(Comparator.reverseOrder());
    perfDates.addAll(estimated.keySet());
    perfDates.addAll(realized.keySet());
    perfDates.addAll(coverage.keySet());
    if (!perfDates.isEmpty()) {
      h.append("<table class=\"performance\"><tr><th class=\"l\">date</th><th>estimated AUC</th><th>realized AUC</th>")
          .append("<th class=\"l\">final</th><th>label coverage</th><th>labelled rows</th></tr>\n");
      perfDates.stream().limit(MAX_PERFORMANCE_ROWS).forEach(dt -> {
        MonitoringRow e = estimated.get(dt);
        MonitoringRow r = realized.get(dt);
        MonitoringRow c = coverage.get(dt);
        h.append("<tr><td class=\"l\">").append(esc(dt)).append("</td><td>").append(e == null ? "" : num(e.value())).append("</td><td>")
            .append(r == null ? "" : num(r.value())).append("</td><td class=\"l\">")
            .append(r == null || r.isFinal() == null ? "" : r.isFinal() ? "yes" : "no").append("</td><td>")
            .append(c == null ? "" : num(c.value())).append("</td><td>").append(r == null ? "" : Long.toString(r.rows()))
            .append("</td></tr>\n");
      });
      h.append("</table>\n");
      if (perfDates.size() > MAX_PERFORMANCE_ROWS) {
        h.append("<p class=\"note\">The newest ").append(MAX_PERFORMANCE_ROWS).append(" of ").append(perfDates.size())
            .append(" dates are listed.</p>\n");
      }
    }
  }

  // ---------------------------------------------------------------------------------- data quality

  private static void dataQuality(StringBuilder h, List<MonitoringRow> all, List<String> dates) {
    h.append("<h2>Data quality: rows per day</h2>\n");
    TreeMap<String, MonitoringRow> rows = series(all, MonitoringRow.DATA_QUALITY, "rows", null);
    if (rows.isEmpty()) {
      noData(h, "no data quality rows.");
      return;
    }
    List<String> days = new ArrayList<>(rows.keySet());
    List<Double> counts = days.stream().map(d -> {
      MonitoringRow r = rows.get(d);
      return finite(r.value()) ? r.value() : (double) r.rows();
    }).toList();
    List<String> labels = days.size() > 20 ? thin(days) : days;
    chart(h, () -> {
      CategoryChart chart = Charts.bars("Rows scored per day", "date", "rows", labels, counts, "rows", days.size() > 8 ? 90 : 0,
          timeWidth(days), Charts.HEIGHT);
      chart.getStyler().setYAxisMin(0.0);
      return chart;
    }, "rows per day");
  }

  // ---------------------------------------------------------------------------------- helpers

  /**
   * One kind's metric per date (the newest row of each date). {@code feature} null takes rows of
   * any feature, preferring model-wide rows (null feature).
   */
  private static TreeMap<String, MonitoringRow> series(List<MonitoringRow> all, String kind, String metric, String feature) {
    TreeMap<String, MonitoringRow> out = new TreeMap<>();
    Comparator<MonitoringRow> preference = Comparator.<MonitoringRow, Boolean>comparing(r -> r.feature() == null).thenComparing(NEWEST);
    for (MonitoringRow r : all) {
      if (kind.equals(r.kind()) && metric.equals(r.metric()) && (feature == null || feature.equals(r.feature())) && finite(r.value())) {
        out.merge(r.dt(), r, (a, b) -> preference.compare(a, b) >= 0 ? a : b);
      }
    }
    return out;
  }

  /** The points of {@code values} at their dates' positions in {@code dates}. */
  private static XYSeries addDated(XYChart chart, String name, List<String> dates, Map<String, MonitoringRow> values, Color color) {
    double[] x = new double[values.size()];
    double[] y = new double[values.size()];
    int i = 0;
    for (Map.Entry<String, MonitoringRow> e : values.entrySet()) {
      x[i] = dates.indexOf(e.getKey());
      y[i] = e.getValue().value();
      i++;
    }
    XYSeries s = Charts.addLine(chart, name, x, y, values.size() <= 31);
    if (values.size() > 31) {
      s.setMarker(SeriesMarkers.NONE);
    } else {
      s.setMarker(SeriesMarkers.CIRCLE);
    }
    if (color != null) {
      s.setLineColor(color);
      s.setMarkerColor(color);
    }
    return s;
  }

  private static int timeWidth(List<String> dates) {
    return Math.min(1200, Math.max(Charts.WIDTH + 140, 200 + 12 * dates.size()));
  }

  /** The chart's image, or a note when it cannot be drawn: the rest of the report still renders. */
  private static void chart(StringBuilder h, Supplier<? extends Chart<?, ?>> chart, String alt) {
    String img;
    try {
      StringBuilder one = new StringBuilder();
      Html.img(one, chart.get(), alt);
      img = one.toString();
    } catch (RuntimeException e) {
      img = "<p class=\"note\">" + esc(alt) + ": " + NOT_DRAWN + " (" + esc(String.valueOf(e)) + ").</p>\n";
    }
    h.append(img);
  }

  private static void noData(StringBuilder h, String why) {
    h.append("<p class=\"nodata\">").append(NO_DATA).append(": ").append(esc(why)).append("</p>\n");
  }

  private static boolean finite(Double v) {
    return v != null && Double.isFinite(v);
  }
}
