package dev.glmpipe.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glmpipe.config.EvaluateConfig;
import dev.glmpipe.registry.ModelManifest;
import dev.glmpipe.testing.HeadlessChromium;
import dev.glmpipe.testing.SharedSpark;
import dev.glmpipe.train.ModelCoefficients.Coefficient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report is one file that renders offline: headless Chromium opens it from disk and takes a
 * screenshot, which must show the page (not a blank one); see {@link HeadlessChromium}.
 */
class HtmlReportTest {
  @TempDir Path tmp;

  @Test
  void theReportIsSelfContainedAndRendersInHeadlessChromium() throws Exception {
    String html = HtmlReport.render(report(), manifest(), List.of(
        new Coefficient("support_calls", "support_calls", 0.45, 0.45),
        new Coefficient("plan=premium", "plan", -0.8, -0.8),
        new Coefficient("tenure_months", "tenure_months", -0.035, -0.035)));
    // Nothing is fetched: no script or stylesheet links, no remote images.
    assertThat(html).doesNotContain("<script", "<link", "src=\"http", "url(http");
    assertThat(html).contains("Gate decision", "REJECTED", "ROC", "data:image/png;base64,", "Slices", "tiny: too few rows",
        "plan=premium");
    assertThat(html.split("<img ", -1)).hasSize(1 + 6);  // ROC, PR, calibration, lift, objective, coefficients

    // Kept in target/html-report for a person to look at (and for CI artifacts).
    HeadlessChromium.render(html, tmp, "report", 1280, 2000).keep("html-report")
        .assertNotBlank(2000);  // chart lines and the red REJECTED badge, not just black text
  }

  private static EvaluationReport report() {
    Random r = new Random(9);
    StructType schema = HoldoutEvaluatorTest.binarySchema();
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      double p = 0.05 + 0.9 * r.nextDouble();
      double y = r.nextDouble() < p ? 1 : 0;
      rows.add(RowFactory.create(y, Vectors.dense(1 - p, p), p > 0.5 ? 1.0 : 0.0, i < 10 ? "islands" : i % 2 == 0 ? "north" : "south"));
    }
    EvaluateConfig config = new EvaluateConfig(Map.of("auc_roc", 0.95), null, null, List.of("region"), 50, null,
        new EvaluateConfig.BootstrapConfig(50, 0.95, 1000, 1L));
    HoldoutEvaluator.Evaluation e = HoldoutEvaluator.evaluate(SharedSpark.get().createDataFrame(rows, schema), Task.BINARY, 0.5,
        "fixed", config);
    EvaluationReport.GateDecision gate = QualityGate.decide(e.metrics(), null, null, config);
    return new EvaluationReport("churn", "20261101-000000-abcd", "2026-11-08T00:00:00Z", null, "0", "binary", e.rows(),
        e.metrics(),
        e.interval(), e.binary(), null, null, e.slices(), null, gate, gate.passed(), gate.reasons(), "report.html");
  }

  private static ModelManifest manifest() {
    List<Double> history = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      history.add(0.4 + 0.3 * Math.exp(-i / 5.0));
    }
    return new ModelManifest("churn", "20261101-000000-abcd", "2026-11-08T00:00:00Z", null, "logistic", "churned", List.of("id"),
        new ModelManifest.DataWindow("2026-11-01", "2026-11-07", List.of(), "id", 0.2), Map.of(), Map.of(), List.of(), List.of(),
        Map.of(), "sha256:0", null, new ModelManifest.TrainingSummary(30, history), "3.5.9", "test", List.of(), Map.of());
  }
}
