package dev.glmpipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glmpipe.testing.ParquetFooters;
import dev.glmpipe.testing.SharedSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.sql.Dataset;
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
 * score through the launcher on the shipped feature spec: which partitions it picks
 * ({@code --new}, {@code --rescore}), what it writes (whole partitions, a ledger, the compiled
 * engine checked against MLlib), and what readers see while a run is killed midway.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScoreIT {
  private static final List<String> DAYS = List.of("2026-11-01", "2026-11-02", "2026-11-03");

  @TempDir static Path root;

  private final SparkSession spark = SharedSpark.get();
  private JobRunner jobs;
  private final Map<String, Long> validRows = new HashMap<>();
  private String firstVersion;

  @BeforeAll
  void champion() {
    jobs = new JobRunner(root, "datagen.rows_per_day=1000");
    jobs.ok("datagen", "--from", DAYS.get(0), "--to", DAYS.get(2));
    JsonNode pre = jobs.ok("preprocess", "--from", DAYS.get(0), "--to", DAYS.get(2));
    for (JsonNode p : pre.get("partitions")) {
      validRows.put(p.get("dt").asText(), p.get("report").get("valid_rows").asLong());
    }
    firstVersion = jobs.ok("train", "--from", DAYS.get(0), "--to", DAYS.get(1)).get("version").asText();
    jobs.ok("evaluate");
    jobs.ok("export");
  }

  @Test
  @Order(1)
  void newScoresEveryUnscoredPartitionOnceWithTheCompiledScorer() {
    JsonNode first = jobs.ok("score", "--new");
    assertThat(first.get("engine").asText()).isEqualTo("compiled");
    assertThat(first.get("fallback_reason").isNull()).isTrue();
    assertThat(first.get("parity_max_difference").asDouble()).isLessThanOrEqualTo(1e-9);
    assertThat(first.get("partitions")).hasSize(3);
    for (JsonNode p : first.get("partitions")) {
      assertThat(p.get("rows").asLong()).isEqualTo(validRows.get(p.get("dt").asText()));
    }
    Dataset<Row> scores = scoresTable();
    assertThat(scores.columns()).containsExactly("customer_id", "region", "score", "prediction", "model_name",
        "model_version", "scored_at", "dt");
    assertThat(scores.count()).isEqualTo(validRows.values().stream().mapToLong(Long::longValue).sum());
    assertThat(scores.select("customer_id", "dt").distinct().count()).isEqualTo(scores.count());
    assertThat(scores.where("score < 0 OR score > 1 OR score IS NULL").count()).isZero();
    // One run, one scored_at for all its dates (which lets them share generated code).
    assertThat(scores.select("scored_at").distinct().count()).isEqualTo(1);
    assertThat(root.resolve("scores/churn/_ledger/dt=" + DAYS.get(0)).resolve(firstVersion + ".json")).exists();
    // The key and the score never repeat: written plain, not through a dictionary; the rest keep theirs.
    Map<String, Boolean> dictionary = ParquetFooters.dictionaryEncoded(root.resolve("scores/churn/dt=" + DAYS.get(0)));
    assertThat(dictionary).containsEntry("customer_id", false).containsEntry("score", false)
        .containsEntry("region", true).containsEntry("prediction", true).containsEntry("model_version", true);

    // Nothing new: nothing scored.
    assertThat(jobs.ok("score", "--new").get("partitions")).isEmpty();
  }

  @Test
  @Order(2)
  void aPartitionPreprocessedAgainIsNewAgain() {
    jobs.ok("preprocess", "--dt", DAYS.get(1));
    JsonNode again = jobs.ok("score", "--new");
    assertThat(again.get("partitions")).hasSize(1);
    assertThat(again.get("partitions").get(0).get("dt").asText()).isEqualTo(DAYS.get(1));

    // With the parity check turned off a run scores and reports no difference.
    JsonNode unchecked = jobs.ok("score", "--dt", DAYS.get(1), "--set", "score.parity_rows=0");
    assertThat(unchecked.get("parity_max_difference").isNull()).isTrue();
    assertThat(unchecked.get("rows").asLong()).isEqualTo(again.get("rows").asLong());
  }

  @Test
  @Order(3)
  void aNewChampionRescoresHistoryOnlyWhenAsked() throws java.io.IOException {
    String second = jobs.ok("train", "--from", DAYS.get(1), "--to", DAYS.get(2)).get("version").asText();
    jobs.ok("evaluate");
    jobs.ok("export");
    assertThat(jobs.ok("score", "--new").get("partitions")).isEmpty();
    JsonNode rescored = jobs.ok("score", "--new", "--rescore");
    assertThat(rescored.get("model_version").asText()).isEqualTo(second);
    assertThat(rescored.get("partitions")).hasSize(3);
    assertThat(scoresTable().select("model_version").distinct().collectAsList()).extracting(r -> r.getString(0))
        .containsExactly(second);
    assertThat(jobs.ok("score", "--new", "--rescore").get("partitions")).isEmpty();

    // The previous champion in its own table, next to the champion's rows.
    JsonNode shadow = jobs.ok("score", "--dt", DAYS.get(2), "--shadow", firstVersion);
    assertThat(shadow.get("shadow_version").asText()).isEqualTo(firstVersion);
    Dataset<Row> shadowRows = spark.read().parquet(root.resolve("scores/churn_shadow").toUri().toString());
    assertThat(shadowRows.count()).isEqualTo(validRows.get(DAYS.get(2)));
    assertThat(shadowRows.select("model_version").distinct().collectAsList()).extracting(r -> r.getString(0))
        .containsExactly(firstVersion);

    // The shadow's files are checked like the champion's: a damaged one scores nothing.
    Path part;
    try (java.util.stream.Stream<Path> files = Files.walk(root.resolve("models/churn/versions/" + firstVersion + "/model"))) {
      part = files.filter(p -> p.getFileName().toString().startsWith("part-") && p.toString().contains("stages")).findFirst().orElseThrow();
    }
    byte[] original = Files.readAllBytes(part);
    Files.write(part, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
    try {
      String shadowBefore = shadowRows.select("scored_at").distinct().collectAsList().toString();
      JobRunner.Run tampered = jobs.run("score", "--dt", DAYS.get(2), "--shadow", firstVersion);
      assertThat(tampered.exitCode()).as(tampered.stderr()).isEqualTo(3);
      assertThat(tampered.stderr()).contains("version " + firstVersion + " failed verification, refusing to use it");
      assertThat(spark.read().parquet(root.resolve("scores/churn_shadow").toUri().toString()).select("scored_at").distinct()
          .collectAsList().toString()).isEqualTo(shadowBefore);
    } finally {
      Files.write(part, original);
    }
  }

  @Test
  @Order(4)
  void anEmptyInputPartitionIsAnEmptyCommittedPartitionAndAMissingOneExits3() {
    String empty = "2026-11-09";
    Dataset<Row> features = spark.read().parquet(root.resolve("features/dt=" + DAYS.get(0)).toUri().toString());
    spark.createDataFrame(List.of(), features.schema()).write().parquet(root.resolve("features/dt=" + empty).toUri().toString());
    JsonNode score = jobs.ok("score", "--dt", empty);
    assertThat(score.get("rows").asLong()).isZero();
    assertThat(root.resolve("scores/churn/dt=" + empty + "/_SUCCESS")).exists();
    assertThat(spark.read().parquet(root.resolve("scores/churn/dt=" + empty).toUri().toString()).count()).isZero();

    JobRunner.Run missing = jobs.run("score", "--from", "2026-11-20", "--to", "2026-11-21");
    assertThat(missing.exitCode()).isEqualTo(3);
    assertThat(missing.stderr()).contains("glmpipe score: error: input partitions 2026-11-20, 2026-11-21 not found");
    assertThat(jobs.run("score", "--new", "--dt", empty).exitCode()).isEqualTo(2);
  }

  @Test
  @Order(5)
  void theCatalogTableListsEachPartitionOnce() {
    jobs.ok("score", "--from", DAYS.get(0), "--to", DAYS.get(1), "--table", "glm.churn_scores");
    jobs.ok("score", "--dt", DAYS.get(1), "--table", "glm.churn_scores");
    List<Row> counts = spark.sql("SELECT dt, count(*) FROM glm.churn_scores GROUP BY dt ORDER BY dt").collectAsList();
    assertThat(counts).hasSize(2);
    for (Row r : counts) {
      assertThat(r.getLong(1)).as(r.getString(0)).isEqualTo(validRows.get(r.getString(0)));
    }
    // Published through the catalog: each date in a run directory of its own, inside dt=.
    assertThat(root.resolve("scores/churn/dt=" + DAYS.get(1)).toFile().list((d, n) -> n.startsWith("run="))).hasSize(2);
    // Scored again without --table, the dates are swapped into dt= as before (run directories and all).
    jobs.ok("score", "--from", DAYS.get(0), "--to", DAYS.get(1));
    assertThat(root.resolve("scores/churn/dt=" + DAYS.get(1)).toFile().list((d, n) -> n.startsWith("run="))).isEmpty();
  }

  /**
   * A scoring run in its own JVM is killed while it writes; a reader polling the table meanwhile,
   * and afterwards, sees every date whole: the expected row count, no key twice, one run's rows.
   */
  @Test
  @Order(6)
  void readersNeverSeePartialOrDuplicatedRowsWhenARunIsKilled() throws Exception {
    Map<String, String> before = scoredAtPerDate();
    Process child = launch("score", "--from", DAYS.get(0), "--to", DAYS.get(2));
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<String> violation = new AtomicReference<>();
    AtomicInteger reads = new AtomicInteger();
    Thread reader = new Thread(() -> {
      while (!stop.get() && violation.get() == null) {
        try {
          String v = checkWhole(false);
          if (v != null) {
            violation.set(v);
          }
          reads.incrementAndGet();
        } catch (Exception e) {
          // A partition renamed away mid-read: the read fails (SparkException, which Spark throws
          // undeclared, or a RuntimeException); it does not see partial rows.
        }
        try {
          Thread.sleep(50);  // leave the two cores mostly to the scoring JVM
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    reader.start();
    // Kill once the first date has been replaced, so the run dies between dates or mid-write.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline && child.isAlive() && !changedFrom(before)) {
      Thread.sleep(100);
    }
    Thread.sleep(300);
    boolean killedMidway = child.isAlive();
    child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    stop.set(true);
    reader.join();
    assertThat(violation.get()).isNull();
    assertThat(reads.get()).isPositive();
    assertThat(killedMidway).as("the child was still scoring when killed").isTrue();
    assertThat(checkWhole(true)).isNull();

    // A rerun completes whatever the killed run left.
    jobs.ok("score", "--from", DAYS.get(0), "--to", DAYS.get(2));
    assertThat(checkWhole(true)).isNull();
    assertThat(Files.list(root.resolve("scores/churn/_staging")).toList()).isEmpty();
  }

  /** DuckDB, as an analyst would query it: hive partitioning turns the directories into {@code dt}. */
  @Test
  @Order(7)
  void duckDbReadsTheScoresTableWithHivePartitioning() throws Exception {
    String glob = root.resolve("scores/churn").toString() + "/*/*.parquet";
    Map<String, Long> counts = new HashMap<>();
    try (java.sql.Connection db = java.sql.DriverManager.getConnection("jdbc:duckdb:");
        java.sql.Statement st = db.createStatement();
        java.sql.ResultSet rs = st.executeQuery("SELECT CAST(dt AS VARCHAR), count(*), count(DISTINCT customer_id),"
            + " min(score), max(score) FROM read_parquet('" + glob + "', hive_partitioning = true) GROUP BY dt")) {
      while (rs.next()) {
        counts.put(rs.getString(1), rs.getLong(2));
        assertThat(rs.getLong(3)).as("keys of %s", rs.getString(1)).isEqualTo(rs.getLong(2));
        assertThat(rs.getDouble(4)).isGreaterThanOrEqualTo(0.0);
        assertThat(rs.getDouble(5)).isLessThanOrEqualTo(1.0);
      }
    }
    assertThat(counts).isEqualTo(validRows);
  }

  /**
   * {@code --table} against a Hive metastore (embedded Derby), each run in a JVM of its own: the
   * second run finds the table the first created and lists both runs' partitions.
   */
  @Test
  @Order(8)
  void theTableLivesInTheHiveMetastoreAcrossRuns() throws Exception {
    Path metastore = root.resolve("metastore");
    List<String> hive = List.of("--set", "spark.conf.spark.sql.catalogImplementation=hive",
        "--set", "spark.conf.spark.hadoop.javax.jdo.option.ConnectionURL=jdbc:derby:;databaseName=" + metastore.resolve("db") + ";create=true",
        "--set", "spark.conf.spark.sql.warehouse.dir=" + metastore.resolve("warehouse").toUri(),
        "--table", "analytics.churn_scores");
    List<String> first = new ArrayList<>(List.of("score", "--dt", DAYS.get(0)));
    first.addAll(hive);
    Process one = launch(first.toArray(String[]::new));
    assertThat(one.waitFor(180, TimeUnit.SECONDS)).isTrue();
    assertThat(one.exitValue()).as(Files.readString(root.resolve("child.err"))).isZero();
    List<String> second = new ArrayList<>(List.of("score", "--dt", DAYS.get(1)));
    second.addAll(hive);
    Process two = launch(second.toArray(String[]::new));
    assertThat(two.waitFor(180, TimeUnit.SECONDS)).isTrue();
    assertThat(two.exitValue()).as(Files.readString(root.resolve("child.err"))).isZero();
    String out = Files.readString(root.resolve("child.out")).trim();
    JsonNode result = dev.glmpipe.io.JsonFiles.MAPPER.readTree(out.substring(out.lastIndexOf('\n') + 1));
    assertThat(result.get("table").asText()).isEqualTo("analytics.churn_scores");
    assertThat(result.get("table_partitions").asLong()).isEqualTo(2);
  }

  @Test
  @Order(9)
  void aPipelineTheCompilerDoesNotKnowIsScoredWithMllibAndSaysWhy() {
    // Hashed features have no compiled form: the run scores with MLlib, names the stage, and
    // checks no parity (the check, started before the compile, finds the same stage and stops).
    String[] train = {"--from", DAYS.get(0), "--to", DAYS.get(1), "--set", "features.categorical=[{column: plan}]",
        "--set", "features.crosses=[]", "--set", "features.hashed=[{column: region, buckets: 16}]"};
    String version = jobs.ok("train", train).get("version").asText();
    jobs.ok("evaluate");
    jobs.ok("export", "--set", "export.onnx=false");  // ONNX has no operator for MLlib's hashing
    JsonNode run = jobs.ok("score", "--dt", DAYS.get(2));
    assertThat(run.get("model_version").asText()).isEqualTo(version);
    assertThat(run.get("engine").asText()).isEqualTo("mllib");
    assertThat(run.get("fallback_reason").asText()).isNotBlank();
    assertThat(run.get("parity_max_difference").isNull()).isTrue();
    assertThat(run.get("rows").asLong()).isEqualTo(validRows.get(DAYS.get(2)));
  }

  /** Null when every date visible in the table is whole; a description of the first that is not. */
  private String checkWhole(boolean allDates) {
    List<Row> perDate = scoresTable().groupBy("dt")
        .agg(org.apache.spark.sql.functions.count("*").as("n"),
            org.apache.spark.sql.functions.countDistinct("customer_id").as("keys"),
            org.apache.spark.sql.functions.countDistinct("scored_at").as("runs"))
        .collectAsList();
    int days = 0;
    for (Row r : perDate) {
      String dt = r.get(0).toString();
      if (!validRows.containsKey(dt)) {
        continue;
      }
      days++;
      if (r.getLong(1) != validRows.get(dt) || r.getLong(2) != r.getLong(1) || r.getLong(3) != 1) {
        return "dt=" + dt + ": " + r;
      }
    }
    return allDates && days != DAYS.size() ? "only " + days + " dates visible" : null;
  }

  /** True once a date holds a newer run's rows; a read that failed mid-swap says nothing yet. */
  private boolean changedFrom(Map<String, String> before) {
    Map<String, String> now = scoredAtPerDate();
    return now != null && !now.equals(before);
  }

  /** The newest scored_at per date, or null when the read failed (a partition swapped mid-read). */
  private Map<String, String> scoredAtPerDate() {
    Map<String, String> out = new HashMap<>();
    try {
      for (Row r : scoresTable().groupBy("dt").agg(org.apache.spark.sql.functions.max("scored_at")).collectAsList()) {
        out.put(r.get(0).toString(), String.valueOf(r.get(1)));
      }
    } catch (Exception e) {
      return null;  // a SparkException (thrown undeclared) or a RuntimeException: try the next poll
    }
    return out;
  }

  private Dataset<Row> scoresTable() {
    return spark.read().parquet(root.resolve("scores/churn").toUri().toString());
  }

  /** The launcher in a JVM of its own (its own Spark), output to files under the test root. */
  private Process launch(String... args) throws Exception {
    return JobRunner.launchChild(root, "child", List.of("datagen.rows_per_day=1000"), args);
  }
}
