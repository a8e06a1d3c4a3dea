package dev.glmpipe.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.glmpipe.config.MonitorConfig;
import dev.glmpipe.evaluate.Task;
import dev.glmpipe.testing.SharedSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Realized performance on a handful of hand-made scores and labels: which labels count (the
 * window, the event date, the latest of a corrected label) and the metrics they give.
 */
class RealizedPerformanceTest {
  private static final LocalDate SCORED = LocalDate.parse("2026-11-01");
  private final SparkSession spark = SharedSpark.get();
  @TempDir Path labels;

  /**
   * Labels of 2026-11-01 arrive on 11-02 (a, b, c; b as churned) and 11-03 (b corrected to 0);
   * d's label is for another day, and e's arrives on 11-05, after the run's date.
   */
  private void writeLabels() throws IOException {
    write("2026-11-02", "a,1,2026-11-01", "b,1,2026-11-01", "c,1,2026-11-01", "d,1,2026-10-31");
    write("2026-11-03", "b,0,2026-11-01");
    write("2026-11-05", "e,0,2026-11-01");
  }

  private void write(String arrival, String... lines) throws IOException {
    Path dir = Files.createDirectories(labels.resolve("dt=" + arrival));
    Files.write(dir.resolve("labels.csv"), java.util.stream.Stream.concat(
        java.util.stream.Stream.of("customer_id,churned,event_dt"), java.util.Arrays.stream(lines)).toList());
  }

  private RealizedPerformance performance() {
    return new RealizedPerformance(spark, new MonitorConfig.LabelsConfig(1, 30, null, "event_dt", "csv"),
        List.of("customer_id"), "churned", new org.apache.hadoop.fs.Path(labels.toUri()));
  }

  private Dataset<Row> scores(boolean linear, double[] scores, double[] predictions) {
    StructType schema = new StructType().add("customer_id", DataTypes.StringType).add("score", DataTypes.DoubleType)
        .add("prediction", linear ? DataTypes.DoubleType : DataTypes.IntegerType).add("model_version", DataTypes.StringType);
    String[] ids = {"a", "b", "c", "d", "e"};
    List<Row> rows = new java.util.ArrayList<>();
    for (int i = 0; i < ids.length; i++) {
      rows.add(RowFactory.create(ids[i], scores[i], linear ? (Object) predictions[i] : (Object) (int) predictions[i], "v1"));
    }
    return spark.createDataFrame(rows, schema);
  }

  /** A label that is not a number is no label, in either ANSI mode: never a failed run. */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
  void anUnreadableLabelIsSkippedWithAnsiModeOnOrOff(boolean ansi) throws Exception {
    write("2026-11-02", "a,1,2026-11-01", "b,0,2026-11-01", "c,yes,2026-11-01", "d,1e999x,2026-11-01");
    Dataset<Row> scored = scores(false, new double[] {0.9, 0.2, 0.6, 0.5, 0.1}, new double[] {1, 0, 1, 1, 0});
    RealizedPerformance.Outcome o = dev.glmpipe.testing.AnsiMode.with(spark, ansi, () -> performance().measure(scored,
        SCORED, LocalDate.parse("2026-11-03"), Map.of("v1", new RealizedPerformance.VersionFacts(Task.BINARY, 0.5, 0.9)),
        new DriftBands(MonitorConfig.defaults()), "churn", "now", "monitor-run").get(0));
    assertThat(o.labelledRows()).isEqualTo(2);
    assertThat(o.metrics().get("auc_roc")).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void binaryMetricsCountTheWindowsLatestLabelsOfTheScoredDateOnly() throws IOException {
    writeLabels();
    Dataset<Row> scored = scores(false, new double[] {0.9, 0.2, 0.6, 0.5, 0.1}, new double[] {1, 0, 1, 1, 0});
    RealizedPerformance.Outcome o = performance().measure(scored, SCORED, LocalDate.parse("2026-11-03"),
        Map.of("v1", new RealizedPerformance.VersionFacts(Task.BINARY, 0.5, 0.9)),
        new DriftBands(MonitorConfig.defaults()), "churn", "now", "monitor-run").get(0);
    // a, b, c labelled (d's label is another day's, e's not arrived yet): 3 of 5.
    assertThat(o.labelledRows()).isEqualTo(3);
    assertThat(o.scoredRows()).isEqualTo(5);
    assertThat(o.isFinal()).isFalse();
    // b's corrected label (0) counts: positives a (0.9) and c (0.6) both above negative b (0.2).
    assertThat(o.metrics().get("auc_roc")).isCloseTo(1.0, within(1e-12));
    // Brier: ((0.9-1)² + (0.2-0)² + (0.6-1)²) / 3 = (0.01 + 0.04 + 0.16) / 3 = 0.07.
    assertThat(o.metrics().get("brier")).isCloseTo(0.07, within(1e-12));
    assertThat(o.metrics().get("accuracy")).isCloseTo(1.0, within(1e-12));
    MonitoringRow coverage = o.rows().stream().filter(r -> r.metric().equals("label_coverage")).findFirst().orElseThrow();
    assertThat(coverage.value()).isCloseTo(0.6, within(1e-12));
    // Holdout AUC 0.9, realized 1.0: no drop, no alert.
    assertThat(o.rows().stream().filter(r -> r.metric().equals("auc_roc_drop")).findFirst().orElseThrow().status())
        .isEqualTo("ok");
  }

  @Test
  void linearModelsGetRmseMaeAndRSquaredAndAClosedWindowIsFinal() throws IOException {
    write("2026-11-02", "a,1.5,2026-11-01", "b,2.0,2026-11-01", "c,2.0,2026-11-01");
    double[] predicted = {1.0, 2.0, 3.0, 9.0, 9.0};
    RealizedPerformance.Outcome o = performance().measure(scores(true, predicted, predicted), SCORED,
        LocalDate.parse("2026-12-01"), Map.of("v1", new RealizedPerformance.VersionFacts(Task.REGRESSION, 0.0, null)),
        new DriftBands(MonitorConfig.defaults()), "churn", "now", "monitor-run").get(0);
    assertThat(o.isFinal()).isTrue();  // 30 days after the scored date
    // Residuals 0.5, 0, -1: RMSE √(1.25/3), MAE 0.5; labels' mean 11/6, total squares 1/6, R² = 1 - 1.25·6.
    assertThat(o.metrics().get("rmse")).isCloseTo(Math.sqrt(1.25 / 3), within(1e-12));
    assertThat(o.metrics().get("mae")).isCloseTo(0.5, within(1e-12));
    assertThat(o.metrics().get("r2")).isCloseTo(1 - 1.25 * 6, within(1e-9));
    assertThat(o.rows()).allSatisfy(r -> assertThat(r.isFinal()).isTrue());
  }

  @Test
  void theOpenDatesAreThoseWhoseWindowHoldsTheRunsDate() {
    List<LocalDate> open = performance().openDates(LocalDate.parse("2026-11-10"));
    assertThat(open).hasSize(30).startsWith(LocalDate.parse("2026-10-11")).endsWith(LocalDate.parse("2026-11-09"));
  }
}
