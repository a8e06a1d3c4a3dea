package dev.glmpipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glmpipe.testing.SharedSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Monitoring end to end through the launcher, on generated days whose drift the generator put
 * there on purpose: a week of training, a clean week of scoring, then a concept change (new
 * true coefficients, inputs untouched), then a shifted input, then a changed category mix. A
 * label feed delivers each day's labels the day after.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MonitorIT {
  private static final String TRAIN_FROM = "2026-11-01";
  private static final String TRAIN_TO = "2026-11-07";
  private static final String CLEAN_FROM = "2026-11-08";
  private static final String CLEAN_TO = "2026-11-14";
  /** New true coefficients from here on: churn now rises with tenure and falls with support calls. */
  private static final String CONCEPT = "2026-11-15";
  /** monthly_charges shifted by +30 from here on (uniform 20..120 in training). */
  private static final String SHIFT = "2026-11-17";
  /** The plan mix changes from here on (and the shift goes on). */
  private static final String MIX = "2026-11-18";
  private static final String LAST = MIX;

  @TempDir static Path root;

  private final SparkSession spark = SharedSpark.get();
  private JobRunner jobs;
  private String version;
  private double holdoutAuc;

  @BeforeAll
  void generateTrainAndScore() {
    List<String> sets = new ArrayList<>(List.of(PipelineIT.LINEAR_SPEC));
    sets.add("datagen.rows_per_day=4000");
    sets.add("datagen.labels={delay_days: 1}");
    sets.add("datagen.drift=[{from: " + CONCEPT + ", kind: concept, coefficients: {tenure_months: 0.035, support_calls: -0.45}},"
        + " {from: " + SHIFT + ", kind: shift, column: monthly_charges, by: 30.0},"
        + " {from: " + MIX + ", kind: mix, column: plan, weights: {basic: 0.1, standard: 0.2, premium: 0.7}}]");
    jobs = new JobRunner(root, sets.toArray(String[]::new));
    jobs.ok("datagen", "--from", TRAIN_FROM, "--to", LAST);
    jobs.ok("preprocess", "--from", TRAIN_FROM, "--to", LAST);
    version = jobs.ok("train", "--from", TRAIN_FROM, "--to", TRAIN_TO, "--run-id", "train-1").get("version").asText();
    holdoutAuc = jobs.ok("evaluate", "--run-id", "evaluate-1").get("metrics").get("auc_roc").asDouble();
    jobs.ok("export", "--run-id", "export-1");
    jobs.ok("score", "--from", CLEAN_FROM, "--to", LAST, "--run-id", "score-1");
  }

  @Test
  @Order(1)
  void sevenCleanDaysRaiseNoAlert() {
    JsonNode result = jobs.ok("monitor", "--from", CLEAN_FROM, "--to", CLEAN_TO, "--run-id", "monitor-1");
    assertThat(result.get("dates")).hasSize(7);
    assertThat(result.get("alert_count").asInt()).as(result.toString()).isZero();
    for (JsonNode d : result.get("dates")) {
      assertThat(d.get("rows").asLong()).isPositive();
      assertThat(d.get("versions")).hasSize(1);
      // The figures the run record takes; the figures themselves are not printed.
      assertThat(d.get("max_psi").asDouble()).isPositive();
      assertThat(d.get("estimated_auc").asDouble()).isGreaterThan(0.5);
    }
    assertThat(result.has("run_figures")).isFalse();
    assertThat(monitoring().where("dt BETWEEN '" + CLEAN_FROM + "' AND '" + CLEAN_TO + "'").select("run_id").distinct()
        .collectAsList()).singleElement().satisfies(r -> assertThat(r.getString(0)).isEqualTo("monitor-1"));
    // Every input and the score got every metric, each with a verdict.
    List<Row> drift = monitoring().where("kind = 'input_drift' AND dt = '" + CLEAN_FROM + "'").collectAsList();
    Set<String> features = new HashSet<>();
    drift.forEach(r -> features.add(r.getAs("feature")));
    assertThat(features).contains("tenure_months", "monthly_charges", "support_calls", "data_usage_gb", "plan", "region");
    assertThat(drift).allSatisfy(r -> assertThat(List.of("ok", "warn")).contains((String) r.getAs("status")));
  }

  /** Every record a run writes names the run: manifest, evaluation, alias history, scoring ledger. */
  @Test
  @Order(0)
  void everyRecordNamesTheRunThatWroteIt() throws Exception {
    Path models = root.resolve("models/churn");
    assertThat(json(models.resolve("versions/" + version + "/manifest.json")).get("run_id").asText()).isEqualTo("train-1");
    assertThat(json(models.resolve("evaluations/" + version + ".json")).get("run_id").asText()).isEqualTo("evaluate-1");
    try (var history = Files.list(models.resolve("aliases/history"))) {
      assertThat(history.filter(p -> p.toString().endsWith(".json")).toList()).singleElement()
          .satisfies(p -> assertThat(json(p).get("run_id").asText()).isEqualTo("export-1"));
    }
    Path ledger = root.resolve("scores/churn/_ledger/dt=" + CLEAN_FROM + "/" + version + ".json");
    assertThat(json(ledger).get("run_id").asText()).isEqualTo("score-1");
    // The manifest with its run id still verifies (the champion's alias pinned it as written).
    assertThat(jobs.sub("models", "verify").json().get("ok").asBoolean()).isTrue();
  }

  private static JsonNode json(Path file) {
    try {
      return dev.glmpipe.io.JsonFiles.MAPPER.readTree(file.toFile());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  @Order(2)
  void aShiftedInputAlertsOnThatInputAndNoOther() {
    JsonNode result = jobs.ok("monitor", "--dt", SHIFT);
    assertThat(inputAlerts(result)).containsExactly("monthly_charges");
  }

  @Test
  @Order(3)
  void aCategoryMixChangeIsCaught() {
    JsonNode result = jobs.ok("monitor", "--dt", MIX);
    assertThat(inputAlerts(result)).contains("plan").doesNotContain("region", "tenure_months", "support_calls");
  }

  @Test
  @Order(4)
  void aConceptChangeLeavesInputsAndTheEstimateQuiet() {
    JsonNode result = jobs.ok("monitor", "--from", CONCEPT, "--to", "2026-11-16");
    assertThat(inputAlerts(result)).isEmpty();
    double clean = meanOf("estimated_performance", "auc_roc", CLEAN_FROM, CLEAN_TO);
    double concept = meanOf("estimated_performance", "auc_roc", CONCEPT, "2026-11-16");
    assertThat(concept).isCloseTo(clean, org.assertj.core.api.Assertions.within(0.02));
    assertThat(clean).isCloseTo(holdoutAuc, org.assertj.core.api.Assertions.within(0.03));
  }

  @Test
  @Order(5)
  void realizedPerformanceFallsOnceTheConceptChangesLabelsArrive() {
    // Labels of day D arrive on D+1: as of the day after the last, every scored day has them.
    JsonNode result = jobs.ok("monitor", "--dt", "2026-11-19", "--realized", "--run-id", "realized-1");
    assertThat(result.get("realized")).hasSize(11);
    assertThat(monitoring().where("kind = 'realized_performance'").select("run_id").distinct().collectAsList())
        .singleElement().satisfies(r -> assertThat(r.getString(0)).isEqualTo("realized-1"));
    for (JsonNode r : result.get("realized")) {
      assertThat(r.get("label_coverage").asDouble()).as(r.toString()).isEqualTo(1.0);
      assertThat(r.get("is_final").asBoolean()).isFalse();  // the 30-day window is still open
    }
    double cleanRealized = meanOf("realized_performance", "auc_roc", CLEAN_FROM, CLEAN_TO);
    double cleanEstimated = meanOf("estimated_performance", "auc_roc", CLEAN_FROM, CLEAN_TO);
    // On clean, calibrated data the estimate from scores alone is what the labels then show.
    assertThat(cleanEstimated).isCloseTo(cleanRealized, org.assertj.core.api.Assertions.within(0.02));
    double conceptRealized = meanOf("realized_performance", "auc_roc", CONCEPT, "2026-11-16");
    double conceptEstimated = meanOf("estimated_performance", "auc_roc", CONCEPT, "2026-11-16");
    System.out.printf(java.util.Locale.ROOT, "MonitorIT AUC: holdout %.4f; clean days estimated %.4f realized %.4f;"
        + " concept days estimated %.4f realized %.4f%n", holdoutAuc, cleanEstimated, cleanRealized, conceptEstimated,
        conceptRealized);
    assertThat(conceptRealized).isLessThan(cleanRealized - 0.1);
    // The drop alerts, and the drift rows of the same dates are still there.
    assertThat(monitoring().where("kind = 'realized_performance' AND metric = 'auc_roc_drop' AND status = 'alert'"
        + " AND dt = '" + CONCEPT + "'").count()).isEqualTo(1);
    assertThat(monitoring().where("kind = 'input_drift' AND dt = '" + CONCEPT + "'").count()).isPositive();
    // Drift rerun of a measured date keeps its realized rows, and the run that computed them.
    jobs.ok("monitor", "--dt", CONCEPT, "--run-id", "monitor-2");
    assertThat(monitoring().where("kind = 'realized_performance' AND dt = '" + CONCEPT + "'").count()).isPositive();
    assertThat(monitoring().where("dt = '" + CONCEPT + "'").groupBy(
        org.apache.spark.sql.functions.expr("kind = 'realized_performance'"), org.apache.spark.sql.functions.col("run_id"))
        .count()
        .collectAsList()).hasSize(2).allSatisfy(r -> assertThat(r.getString(1))
            .isEqualTo(r.getBoolean(0) ? "realized-1" : "monitor-2"));
  }

  @Test
  @Order(6)
  void alertsFailTheRunWithExitFiveWhenAskedToAfterWritingEverything() {
    JobRunner.Run run = jobs.run("monitor", "--dt", SHIFT, "--set", "monitor.on_alert=fail");
    assertThat(run.exitCode()).isEqualTo(5);
    assertThat(run.json().get("alert_count").asInt()).isPositive();
    assertThat(run.stderr().lines().filter(l -> l.startsWith("glmpipe monitor: error:")).toList()).singleElement()
        .satisfies(l -> assertThat(l).contains("monthly_charges").contains("on_alert=fail"));
  }

  @Test
  @Order(7)
  void duckDbReadsTheMonitoringTableAndTheReportIsWritten() throws Exception {
    String glob = root.resolve("monitoring/churn").toString() + "/*/*.parquet";
    Map<String, Long> kinds = new HashMap<>();
    try (java.sql.Connection db = java.sql.DriverManager.getConnection("jdbc:duckdb:");
        java.sql.Statement st = db.createStatement();
        java.sql.ResultSet rs = st.executeQuery("SELECT kind, count(*), count(DISTINCT CAST(dt AS VARCHAR)) FROM read_parquet('"
            + glob + "', hive_partitioning = true) GROUP BY kind")) {
      while (rs.next()) {
        kinds.put(rs.getString(1), rs.getLong(3));
      }
    }
    assertThat(kinds).containsEntry("input_drift", 11L).containsEntry("score_drift", 11L)
        .containsEntry("estimated_performance", 11L).containsEntry("realized_performance", 11L)
        .containsEntry("data_quality", 11L).containsKey("score_distribution");
    Path report = root.resolve("reports/monitoring-churn.html");
    assertThat(report).exists();
    assertThat(Files.readString(report)).contains("monthly_charges").contains(SHIFT);
  }

  /** A monitor run in its own JVM is killed midway: every date stays whole, and a rerun replaces them. */
  @Test
  @Order(8)
  void aKilledRunLeavesEveryDateWholeAndARerunReplaces() throws Exception {
    Map<String, Long> before = rowsPerDate();
    Map<String, String> computed = computedAtPerDate();
    Process child = launch("monitor", "--from", CLEAN_FROM, "--to", LAST);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (System.nanoTime() < deadline && child.isAlive() && computedAtPerDate().equals(computed)) {
      Thread.sleep(200);
    }
    boolean killedMidway = child.isAlive();
    child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    assertThat(killedMidway).as("the child was still monitoring when killed").isTrue();
    // Each date is the old one or the new one, never part of either. A kill between the swap's
    // two renames leaves a date set aside (missing, not partial); the next run puts it back.
    Map<String, Long> now = rowsPerDate();
    now.forEach((dt, n) -> assertThat(n).as("rows of dt=" + dt).isEqualTo(before.get(dt)));
    for (String dt : before.keySet()) {
      if (!now.containsKey(dt)) {
        try (var aside = Files.list(root.resolve("monitoring/churn/_replaced"))) {
          assertThat(aside.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("dt=" + dt + "."));
        }
      }
    }
    JsonNode rerun = jobs.ok("monitor", "--from", CLEAN_FROM, "--to", LAST);
    assertThat(rerun.get("dates")).hasSize(11);
    assertWhole(before);
    Map<String, String> after = computedAtPerDate();
    for (String dt : after.keySet()) {
      assertThat(after.get(dt)).as(dt).isNotEqualTo(computed.get(dt));
    }
  }

  @Test
  @Order(9)
  void newMonitorsExactlyTheDatesScoredSinceTheyWereLastMonitored() {
    assertThat(jobs.ok("monitor", "--new").get("dates")).isEmpty();
    jobs.ok("score", "--dt", CLEAN_FROM);
    JsonNode result = jobs.ok("monitor", "--new");
    assertThat(result.get("dates")).singleElement().satisfies(d -> assertThat(d.get("dt").asText()).isEqualTo(CLEAN_FROM));
    assertThat(jobs.ok("monitor", "--new").get("dates")).isEmpty();
  }

  /** Every date has the rows it had, and they come from one run. */
  private void assertWhole(Map<String, Long> expected) {
    assertThat(rowsPerDate()).isEqualTo(expected);
    for (Row r : monitoring().where("kind <> 'realized_performance'").groupBy("dt")
        .agg(org.apache.spark.sql.functions.countDistinct("computed_at")).collectAsList()) {
      assertThat(r.getLong(1)).as("runs in dt=" + r.get(0)).isEqualTo(1);
    }
  }

  private Map<String, Long> rowsPerDate() {
    Map<String, Long> out = new HashMap<>();
    for (Row r : monitoring().groupBy("dt").count().collectAsList()) {
      out.put(r.get(0).toString(), r.getLong(1));
    }
    return out;
  }

  private Map<String, String> computedAtPerDate() {
    Map<String, String> out = new HashMap<>();
    try {
      for (Row r : monitoring().where("kind = 'data_quality'").groupBy("dt")
          .agg(org.apache.spark.sql.functions.max("computed_at")).collectAsList()) {
        out.put(r.get(0).toString(), r.getString(1));
      }
    } catch (Exception e) {
      return Map.of();  // a partition swapped mid-read: poll again
    }
    return out;
  }

  private static List<String> inputAlerts(JsonNode result) {
    List<String> out = new ArrayList<>();
    for (JsonNode d : result.get("dates")) {
      for (JsonNode a : d.get("alerts")) {
        if (a.get("kind").asText().equals("input_drift") && !out.contains(a.get("feature").asText())) {
          out.add(a.get("feature").asText());
        }
      }
    }
    return out;
  }

  private double meanOf(String kind, String metric, String from, String to) {
    Row r = monitoring().where("kind = '" + kind + "' AND metric = '" + metric + "' AND feature IS NULL"
        + " AND dt BETWEEN '" + from + "' AND '" + to + "'").agg(org.apache.spark.sql.functions.avg("value"),
        org.apache.spark.sql.functions.count("value")).first();
    assertThat(r.getLong(1)).as(kind + " " + metric + " rows").isPositive();
    return r.getDouble(0);
  }

  private org.apache.spark.sql.Dataset<Row> monitoring() {
    return spark.read().option("basePath", root.resolve("monitoring/churn").toUri().toString())
        .parquet(root.resolve("monitoring/churn").toUri().toString())
        .withColumn("dt", org.apache.spark.sql.functions.col("dt").cast("string"));
  }

  /** The launcher in a JVM of its own (its own Spark), with this test's spec. */
  private Process launch(String... args) throws Exception {
    return JobRunner.launchChild(root, "monitor-child", List.of(PipelineIT.LINEAR_SPEC), args);
  }
}
