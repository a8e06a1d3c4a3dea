package dev.glmpipe.evaluate;

import dev.glmpipe.evaluate.EvaluationReport.BinaryDetails;
import dev.glmpipe.evaluate.EvaluationReport.CalibrationBin;
import dev.glmpipe.evaluate.EvaluationReport.GateCheck;
import dev.glmpipe.evaluate.EvaluationReport.LiftBin;
import dev.glmpipe.evaluate.EvaluationReport.Point;
import dev.glmpipe.evaluate.EvaluationReport.Slice;
import dev.glmpipe.html.Charts;
import dev.glmpipe.html.Html;
import dev.glmpipe.registry.ModelManifest;
import dev.glmpipe.train.ModelCoefficients.Coefficient;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.knowm.xchart.XYChart;

/**
 * One self-contained HTML page per evaluated version: the gate decision, metrics beside the
 * champion's, and charts (ROC, PR, calibration, lift, objective history, top coefficients)
 * as embedded PNGs, the slice table. No script, stylesheet or image is fetched from anywhere,
 * so the file opens offline, attached to a ticket or in a browser on the cluster's gateway.
 */
public final class HtmlReport {
  static final int TOP_COEFFICIENTS = 20;

  private HtmlReport() {}

  public static String render(EvaluationReport r, ModelManifest manifest, List<Coefficient> coefficients) {
    StringBuilder h = new StringBuilder(64 * 1024);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>").append(esc(r.model() + " " + r.version())).append(" evaluation</title><style>")
        .append("body{font-family:sans-serif;margin:24px;color:#222;background:#fff}")
        .append("table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}")
        .append("th{background:#f0f0f0}td.l,th.l{text-align:left}.pass{color:#fff;background:#2e7d32;padding:4px 10px}")
        .append(".fail{color:#fff;background:#c62828;padding:4px 10px}.tiny{color:#999}img{margin:6px;border:1px solid #ddd}")
        .append("</style></head><body>\n");
    h.append("<h1>").append(esc(r.model())).append(" — version ").append(esc(r.version())).append("</h1>\n");
    h.append("<p>Task: ").append(esc(r.task())).append(" · holdout rows: ").append(r.holdoutRows())
        .append(" · evaluated at ").append(esc(r.evaluatedAt()));
    if (manifest != null) {
      h.append(" · trained on ").append(esc(manifest.dataWindow() == null ? "" : manifest.dataWindow().from() + " … " + manifest.dataWindow().to()))
          .append(" · glmpipe ").append(esc(manifest.codeVersion())).append(" on Spark ").append(esc(manifest.sparkVersion()));
    }
    h.append("</p>\n");
    gate(h, r);
    metrics(h, r);
    if (r.binary() != null) {
      binary(h, r.binary());
    }
    if (r.regression() != null) {
      h.append("<h2>Residual quantiles (label − prediction)</h2><table><tr>");
      r.regression().residualQuantiles().keySet().forEach(q -> h.append("<th>").append(esc(q)).append("</th>"));
      h.append("</tr><tr>");
      r.regression().residualQuantiles().values().forEach(v -> h.append("<td>").append(num(v)).append("</td>"));
      h.append("</tr></table><p>MAPE leaves out ").append(r.regression().mapeExcludedRows()).append(" rows whose label is 0.</p>\n");
    }
    if (r.multiclass() != null) {
      h.append("<h2>Per class</h2><table><tr><th>class</th><th>rows</th><th>precision</th><th>recall</th></tr>");
      r.multiclass().classes().forEach(c -> h.append("<tr><td>").append(num(c.label())).append("</td><td>").append(c.rows())
          .append("</td><td>").append(num(c.precision())).append("</td><td>").append(num(c.recall())).append("</td></tr>"));
      h.append("</table>\n");
    }
    h.append("<h2>Training</h2>\n");
    if (manifest != null && manifest.training() != null && manifest.training().objectiveHistory() != null
        && !manifest.training().objectiveHistory().isEmpty()) {
      List<Double> history = manifest.training().objectiveHistory();
      XYChart chart = Charts.lines("Objective history", "iteration", "objective", false);
      double[] x = new double[history.size()];
      double[] y = new double[history.size()];
      for (int i = 0; i < x.length; i++) {
        x[i] = i;
        y[i] = history.get(i);
      }
      Charts.addLine(chart, "objective", x, y, x.length < 50);
      img(h, chart, "objective history");
    } else {
      h.append("<p>The solver recorded no objective history.</p>\n");
    }
    coefficients(h, coefficients);
    slices(h, r.slices());
    h.append("</body></html>\n");
    return h.toString();
  }

  private static void gate(StringBuilder h, EvaluationReport r) {
    h.append("<h2>Gate decision: <span class=\"").append(r.passed() ? "pass\">PASSED" : "fail\">REJECTED").append("</span></h2>\n");
    h.append("<p>").append(r.champion() == null ? "No champion yet: absolute thresholds only."
        : "Compared with champion " + esc(r.champion().version()) + " on the same holdout rows.").append("</p>\n");
    if (!r.failures().isEmpty()) {
      h.append("<ul>");
      r.failures().forEach(f -> h.append("<li>").append(esc(f)).append("</li>"));
      h.append("</ul>\n");
    }
    if (r.gate() != null && !r.gate().checks().isEmpty()) {
      h.append("<table><tr><th class=\"l\">metric</th><th class=\"l\">rule</th><th>limit</th><th>value</th><th>champion</th><th class=\"l\">result</th></tr>");
      for (GateCheck c : r.gate().checks()) {
        h.append("<tr><td class=\"l\">").append(esc(c.metric())).append("</td><td class=\"l\">").append(esc(c.rule()))
            .append("</td><td>").append(num(c.limit())).append("</td><td>").append(num(c.value())).append("</td><td>")
            .append(num(c.championValue())).append("</td><td class=\"l\">").append(c.passed() ? "ok" : "FAILED").append("</td></tr>");
      }
      h.append("</table>\n");
    }
  }

  private static void metrics(StringBuilder h, EvaluationReport r) {
    h.append("<h2>Holdout metrics</h2><table><tr><th class=\"l\">metric</th><th>this version</th>");
    Map<String, Double> champion = r.champion() == null ? null : r.champion().metrics();
    if (champion != null) {
      h.append("<th>champion ").append(esc(r.champion().version())).append("</th>");
    }
    h.append("</tr>");
    r.metrics().forEach((k, v) -> {
      h.append("<tr><td class=\"l\">").append(esc(k)).append("</td><td>").append(num(v)).append("</td>");
      if (champion != null) {
        h.append("<td>").append(num(champion.get(k))).append("</td>");
      }
      h.append("</tr>");
    });
    h.append("</table>\n");
    if (r.interval() != null) {
      h.append(String.format(Locale.ROOT, "<p>%s %.4f, %.0f%% bootstrap interval [%.4f, %.4f] (%d resamples of %d rows).</p>%n",
          esc(r.interval().metric()), r.interval().estimate(), 100 * r.interval().confidence(), r.interval().lower(),
          r.interval().upper(), r.interval().replicates(), r.interval().rows()));
    }
  }

  private static void binary(StringBuilder h, BinaryDetails b) {
    h.append("<h2>At the operating threshold ").append(num(b.threshold())).append(" (").append(esc(b.thresholdMode())).append(")</h2>\n");
    var cm = b.confusion();
    h.append("<table><tr><th></th><th>predicted 1</th><th>predicted 0</th></tr>")
        .append("<tr><th>actual 1</th><td>").append(cm.truePositives()).append("</td><td>").append(cm.falseNegatives()).append("</td></tr>")
        .append("<tr><th>actual 0</th><td>").append(cm.falsePositives()).append("</td><td>").append(cm.trueNegatives()).append("</td></tr></table>\n");
    h.append("<h2>Curves</h2>\n");
    XYChart roc = Charts.lines("ROC", "false positive rate", "true positive rate", true);
    Charts.addLine(roc, "model", xs(b.roc()), ys(b.roc()), false);
    img(h, roc, "ROC curve");
    XYChart pr = Charts.lines("Precision-recall", "recall", "precision", false);
    Charts.addLine(pr, "model", xs(b.pr()), ys(b.pr()), false);
    img(h, pr, "precision-recall curve");
    XYChart cal = Charts.lines("Calibration by score decile", "mean predicted", "observed rate", true);
    Charts.addLine(cal, "deciles", b.calibration().stream().mapToDouble(CalibrationBin::meanPredicted).toArray(),
        b.calibration().stream().mapToDouble(CalibrationBin::observedRate).toArray(), true);
    img(h, cal, "calibration");
    List<String> deciles = b.lift().stream().map(l -> Integer.toString(l.decile())).toList();
    img(h, Charts.bars("Lift by decile (1 = highest scores)", "decile", "lift", deciles,
        b.lift().stream().map(LiftBin::lift).toList(), "lift", 0), "lift");
    h.append("<table><tr><th>decile</th><th>rows</th><th>positives</th><th>rate</th><th>lift</th><th>cumulative gain</th></tr>");
    for (LiftBin l : b.lift()) {
      h.append("<tr><td>").append(l.decile()).append("</td><td>").append(l.rows()).append("</td><td>").append(l.positives())
          .append("</td><td>").append(num(l.rate())).append("</td><td>").append(num(l.lift())).append("</td><td>")
          .append(num(l.cumulativeGain())).append("</td></tr>");
    }
    h.append("</table>\n");
  }

  private static void coefficients(StringBuilder h, List<Coefficient> coefficients) {
    if (coefficients.isEmpty()) {
      return;
    }
    List<Coefficient> top = coefficients.subList(0, Math.min(TOP_COEFFICIENTS, coefficients.size()));
    img(h, Charts.bars("Top " + top.size() + " coefficients (by magnitude)", "", "weight",
        top.stream().map(Coefficient::feature).toList(), top.stream().map(Coefficient::value).toList(), "weight", 60),
        "top coefficients");
    h.append("<table><tr><th class=\"l\">feature</th><th>weight</th><th>per input unit</th></tr>");
    top.forEach(c -> h.append("<tr><td class=\"l\">").append(esc(c.feature())).append("</td><td>").append(num(c.value()))
        .append("</td><td>").append(num(c.valueInputUnits())).append("</td></tr>"));
    h.append("</table>\n");
  }

  private static void slices(StringBuilder h, List<Slice> slices) {
    if (slices == null || slices.isEmpty()) {
      return;
    }
    TreeSet<String> names = new TreeSet<>();
    slices.forEach(s -> names.addAll(s.metrics().keySet()));
    h.append("<h2>Slices</h2><table><tr><th class=\"l\">column</th><th class=\"l\">value</th><th>rows</th>");
    names.forEach(n -> h.append("<th>").append(esc(n)).append("</th>"));
    h.append("<th class=\"l\">note</th></tr>");
    for (Slice s : slices) {
      h.append(s.tiny() ? "<tr class=\"tiny\">" : "<tr>").append("<td class=\"l\">").append(esc(s.column())).append("</td><td class=\"l\">")
          .append(esc(s.value())).append("</td><td>").append(s.rows()).append("</td>");
      names.forEach(n -> h.append("<td>").append(num(s.metrics().get(n))).append("</td>"));
      h.append("<td class=\"l\">").append(s.tiny() ? "tiny: too few rows to trust" : "").append("</td></tr>");
    }
    h.append("</table>\n");
  }

  private static void img(StringBuilder h, org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, String alt) {
    Html.img(h, chart, alt);
  }

  private static double[] xs(List<Point> points) {
    return points.stream().mapToDouble(Point::x).toArray();
  }

  private static double[] ys(List<Point> points) {
    return points.stream().mapToDouble(Point::y).toArray();
  }

  private static String num(Double v) {
    return Html.num(v);
  }

  private static String esc(String s) {
    return Html.esc(s);
  }
}
