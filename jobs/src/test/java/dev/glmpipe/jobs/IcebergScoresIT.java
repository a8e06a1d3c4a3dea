package dev.glmpipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glmpipe.config.IcebergConfig;
import dev.glmpipe.io.IcebergMaintenance;
import dev.glmpipe.testing.SharedSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
 * The scores and monitoring tables in both formats, through the launcher: Parquet and Iceberg
 * hold the same scores; an Iceberg rerun replaces one date in one snapshot that names the run,
 * time travel finds the rows it replaced; monitor reads the Iceberg scores into an Iceberg
 * monitoring table holding what a Parquet one holds, a monitor rerun replacing one date in one
 * commit, every snapshot holding whole dates; maintain compacts and expires both tables;
 * Parquet dates published through the catalog each live in their own run directory.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IcebergScoresIT {
  private static final List<String> DAYS = List.of("2026-11-01", "2026-11-02", "2026-11-03");
  private static final String ICEBERG = "score.table_format=iceberg";
  private static final String TABLE = "glmpipe.glmpipe.scores_churn";
  private static final String MONITORING = "glmpipe.glmpipe.monitoring_churn";

  @TempDir static Path root;

  private final SparkSession spark = SharedSpark.get();
  private JobRunner jobs;
  private long validRows;
  private String version;
  /** Rows per date of the monitoring table: drift (every kind but realized) and realized performance. */
  private final Map<String, Long> driftRows = new java.util.TreeMap<>();
  private final Map<String, Long> realizedRows = new java.util.TreeMap<>();

  @BeforeAll
  void champion() {
    jobs = new JobRunner(root, "datagen.rows_per_day=1000", "datagen.labels={delay_days: 1}");
    jobs.ok("datagen", "--from", DAYS.get(0), "--to", DAYS.get(2));
    for (JsonNode p : jobs.ok("preprocess", "--from", DAYS.get(0), "--to", DAYS.get(2)).get("partitions")) {
      validRows += p.get("report").get("valid_rows").asLong();
    }
    version = jobs.ok("train", "--from", DAYS.get(0), "--to", DAYS.get(1)).get("version").asText();
    jobs.ok("evaluate");
    jobs.ok("export");
  }

  @Test
  @Order(1)
  void bothFormatsHoldTheSameScores() {
    jobs.ok("score", "--from", DAYS.get(0), "--to", DAYS.get(2));
    JsonNode iceberg = jobs.ok("score", "--from", DAYS.get(0), "--to", DAYS.get(2), "--set", ICEBERG);
    assertThat(iceberg.get("table").asText()).isEqualTo(TABLE);
    assertThat(iceberg.get("table_partitions").asLong()).isEqualTo(3);
    assertThat(iceberg.get("rows").asLong()).isEqualTo(validRows);

    String columns = "customer_id, CAST(dt AS STRING) AS dt, region, score, prediction, model_name, model_version";
    spark.read().parquet(root.resolve("scores/churn").toUri().toString()).createOrReplaceTempView("parquet_scores");
    Dataset<Row> parquet = spark.sql("SELECT " + columns + " FROM parquet_scores");
    Dataset<Row> table = spark.sql("SELECT " + columns + " FROM " + TABLE);
    assertThat(table.count()).isEqualTo(validRows);
    assertThat(parquet.count()).isEqualTo(validRows);
    assertThat(parquet.exceptAll(table).count()).isZero();
    assertThat(table.exceptAll(parquet).count()).isZero();
    assertThat(spark.sql("SHOW TBLPROPERTIES " + TABLE + " ('format-version')").first().getString(1)).isEqualTo("2");
    assertThat(spark.sql("SELECT spec_id, partition.dt FROM " + TABLE + ".partitions").count()).isEqualTo(3);
  }

  @Test
  @Order(2)
  void aRerunReplacesOneDateInOneSnapshotThatNamesTheRun() {
    long before = spark.sql("SELECT snapshot_id FROM " + TABLE + ".snapshots ORDER BY committed_at DESC LIMIT 1").first().getLong(0);
    List<Row> otherFiles = spark.sql("SELECT file_path FROM " + TABLE + ".files WHERE partition.dt <> DATE '" + DAYS.get(1)
        + "' ORDER BY file_path").collectAsList();
    JsonNode rerun = jobs.ok("score", "--dt", DAYS.get(1), "--set", ICEBERG, "--run-id", "rerun-42");
    Row snapshot = spark.sql("SELECT operation, summary FROM " + TABLE + ".snapshots ORDER BY committed_at DESC LIMIT 1").first();
    assertThat(snapshot.getString(0)).isEqualTo("overwrite");
    Map<String, String> summary = snapshot.getJavaMap(1);
    assertThat(summary).containsEntry("glmpipe.run-id", "rerun-42").containsEntry("glmpipe.model", "churn")
        .containsEntry("glmpipe.model-version", rerun.get("model_version").asText())
        .containsEntry("glmpipe.dt", DAYS.get(1)).containsEntry("changed-partition-count", "1");
    // The other dates' files are untouched; the date's rows are whole, each key once.
    assertThat(spark.sql("SELECT file_path FROM " + TABLE + ".files WHERE partition.dt <> DATE '" + DAYS.get(1)
        + "' ORDER BY file_path").collectAsList()).isEqualTo(otherFiles);
    Dataset<Row> day = spark.sql("SELECT * FROM " + TABLE + " WHERE dt = DATE '" + DAYS.get(1) + "'");
    assertThat(day.count()).isEqualTo(rerun.get("rows").asLong());
    assertThat(day.select("customer_id").distinct().count()).isEqualTo(day.count());
    // Time travel: the snapshot before the rerun still holds the earlier run's rows of the date.
    Dataset<Row> earlier = spark.sql("SELECT scored_at FROM " + TABLE + " VERSION AS OF " + before + " WHERE dt = DATE '"
        + DAYS.get(1) + "'").distinct();
    Dataset<Row> now = day.select("scored_at").distinct();
    assertThat(earlier.count()).isEqualTo(1);
    assertThat(earlier.first()).isNotEqualTo(now.first());
    // The ledger sees the date scored, so --new finds nothing in either format.
    assertThat(jobs.ok("score", "--new", "--set", ICEBERG).get("partitions")).isEmpty();
  }

  /**
   * monitor on Iceberg scores writes an Iceberg monitoring table (score.table_format alone moves
   * both), holding what a Parquet monitoring table computed from the same scores holds, one
   * commit per date naming the run, the model and the version.
   */
  @Test
  @Order(3)
  void monitorWritesAnIcebergTableHoldingWhatParquetHolds() {
    JsonNode parquet = jobs.ok("monitor", "--from", DAYS.get(0), "--to", DAYS.get(2), "--set", ICEBERG,
        "--set", "monitor.table_format=parquet", "--run-id", "monitor-parquet");
    JsonNode iceberg = jobs.ok("monitor", "--from", DAYS.get(0), "--to", DAYS.get(2), "--set", ICEBERG,
        "--run-id", "monitor-1");
    assertThat(parquet.get("table").asText()).endsWith("monitoring/churn");
    assertThat(iceberg.get("table").asText()).isEqualTo(MONITORING);
    assertThat(iceberg.get("dates")).hasSize(3)
        .allSatisfy(d -> assertThat(d.get("partition").asText()).isEqualTo(MONITORING));
    // Monitor read every valid row of the Iceberg scores, each date once.
    long monitored = 0;
    for (JsonNode d : iceberg.get("dates")) {
      monitored += d.get("rows").asLong();
    }
    assertThat(monitored).isEqualTo(validRows);

    spark.read().parquet(root.resolve("monitoring/churn").toUri().toString()).createOrReplaceTempView("parquet_monitoring");
    Map<String, Row> fromParquet = metrics("SELECT * FROM parquet_monitoring");
    Map<String, Row> fromIceberg = metrics("SELECT * FROM " + MONITORING);
    assertThat(fromIceberg).hasSizeGreaterThan(3 * 10);
    assertThat(fromIceberg.keySet()).isEqualTo(fromParquet.keySet());
    fromIceberg.forEach((key, r) -> {
      Row p = fromParquet.get(key);
      assertThat(r.getString(1)).as(key).isEqualTo(p.getString(1));   // status
      assertThat(r.getLong(2)).as(key).isEqualTo(p.getLong(2));         // rows
      assertThat(r.getString(3)).as(key).isEqualTo("monitor-1");
      if (p.isNullAt(0)) {
        assertThat(r.isNullAt(0)).as(key).isTrue();
      } else {
        assertThat(r.getDouble(0)).as(key).isCloseTo(p.getDouble(0), within(1e-9 * Math.max(1, Math.abs(p.getDouble(0)))));
      }
    });
    assertThat(spark.sql("SHOW TBLPROPERTIES " + MONITORING + " ('format-version')").first().getString(1)).isEqualTo("2");
    Map<String, Long> perDate = rowsPerDate(MONITORING, "");
    assertThat(perDate).isEqualTo(countsBy("SELECT CAST(dt AS STRING) AS d, count(*) FROM parquet_monitoring GROUP BY 1"));
    assertThat(countsBy("SELECT CAST(partition.dt AS STRING), record_count FROM " + MONITORING + ".partitions"))
        .isEqualTo(perDate);
    driftRows.putAll(perDate);

    List<Row> snapshots = spark.sql("SELECT operation, summary FROM " + MONITORING + ".snapshots ORDER BY committed_at")
        .collectAsList();
    assertThat(snapshots).hasSize(3);
    assertThat(snapshots).extracting(r -> r.<String, String>getJavaMap(1).get("glmpipe.dt")).containsExactlyElementsOf(DAYS);
    for (Row snapshot : snapshots) {
      Map<String, String> summary = snapshot.getJavaMap(1);
      assertThat(snapshot.getString(0)).isEqualTo("overwrite");
      assertThat(summary).containsEntry("glmpipe.run-id", "monitor-1").containsEntry("glmpipe.job", "monitor")
          .containsEntry("glmpipe.model", "churn").containsEntry("glmpipe.model-version", version)
          .containsEntry("changed-partition-count", "1")
          .containsEntry("added-records", Long.toString(perDate.get(summary.get("glmpipe.dt"))));
    }
  }

  /** Realized performance on Iceberg: its rows join the drift rows of their dates in one commit. */
  @Test
  @Order(4)
  void realizedPerformanceJoinsTheDriftRowsOfItsDates() {
    JsonNode realized = jobs.ok("monitor", "--dt", DAYS.get(2), "--realized", "--set", ICEBERG, "--run-id", "realized-1");
    // As of the last day, the labels of the two days before it have arrived (one day late).
    assertThat(realized.get("realized")).extracting(r -> r.get("dt").asText()).containsExactlyInAnyOrder(DAYS.get(0), DAYS.get(1));
    for (JsonNode r : realized.get("realized")) {
      String dt = r.get("dt").asText();
      Row coverage = spark.sql("SELECT value, run_id FROM " + MONITORING + " WHERE dt = DATE '" + dt
          + "' AND kind = 'realized_performance' AND metric = 'label_coverage'").first();
      assertThat(coverage.getDouble(0)).isCloseTo(r.get("label_coverage").asDouble(), within(1e-12)).isGreaterThan(0.9);
      assertThat(coverage.getString(1)).isEqualTo("realized-1");
      // The date's drift rows stay, the drift run's.
      assertThat(rowsPerDate(MONITORING, " WHERE kind <> 'realized_performance' AND run_id = 'monitor-1'").get(dt))
          .isEqualTo(driftRows.get(dt));
    }
    realizedRows.putAll(rowsPerDate(MONITORING, " WHERE kind = 'realized_performance' AND run_id = 'realized-1'"));
    assertThat(realizedRows.keySet()).containsExactlyInAnyOrder(DAYS.get(0), DAYS.get(1));
    assertThat(rowsPerDate(MONITORING, "").get(DAYS.get(2))).isEqualTo(driftRows.get(DAYS.get(2)));
    assertThat(latestSummary(MONITORING)).containsEntry("glmpipe.run-id", "realized-1").containsEntry("glmpipe.dt", DAYS.get(1));
  }

  /**
   * A monitor rerun of one date replaces exactly that date in one commit naming the run: the
   * other dates' files stay, the date's drift rows are the rerun's, its realized rows are kept;
   * time travel finds the rows it replaced, and in every snapshot of the table each date is
   * whole (all its rows or none, each kind from one run).
   */
  @Test
  @Order(5)
  void aMonitorRerunReplacesExactlyThatDate() {
    String dt = DAYS.get(1);
    long before = spark.sql("SELECT snapshot_id FROM " + MONITORING + ".snapshots ORDER BY committed_at DESC LIMIT 1")
        .first().getLong(0);
    String others = "SELECT file_path FROM " + MONITORING + ".files WHERE partition.dt <> DATE '" + dt + "' ORDER BY file_path";
    List<Row> otherFiles = spark.sql(others).collectAsList();
    Map<String, Long> counts = rowsPerDate(MONITORING, "");
    assertThat(counts.get(dt)).isEqualTo(driftRows.get(dt) + realizedRows.get(dt));

    JsonNode rerun = jobs.ok("monitor", "--dt", dt, "--set", ICEBERG, "--run-id", "monitor-rerun");
    assertThat(rerun.get("dates")).singleElement().satisfies(d -> assertThat(d.get("dt").asText()).isEqualTo(dt));
    Row snapshot = spark.sql("SELECT operation, summary FROM " + MONITORING + ".snapshots ORDER BY committed_at DESC LIMIT 1")
        .first();
    assertThat(snapshot.getString(0)).isEqualTo("overwrite");
    assertThat(snapshot.<String, String>getJavaMap(1)).containsEntry("glmpipe.run-id", "monitor-rerun")
        .containsEntry("glmpipe.dt", dt).containsEntry("glmpipe.model", "churn").containsEntry("glmpipe.model-version", version)
        .containsEntry("changed-partition-count", "1")
        .containsEntry("deleted-records", Long.toString(counts.get(dt)))
        .containsEntry("added-records", Long.toString(counts.get(dt)));
    assertThat(spark.sql(others).collectAsList()).isEqualTo(otherFiles);
    assertThat(rowsPerDate(MONITORING, "")).isEqualTo(counts);
    assertThat(countsBy("SELECT concat(IF(kind = 'realized_performance', 'realized ', 'drift '), run_id), count(*) FROM "
        + MONITORING + " WHERE dt = DATE '" + dt + "' GROUP BY 1"))
        .isEqualTo(Map.of("drift monitor-rerun", driftRows.get(dt), "realized realized-1", realizedRows.get(dt)));
    assertThat(countsBy("SELECT run_id, count(*) FROM " + MONITORING + " VERSION AS OF " + before + " WHERE dt = DATE '" + dt
        + "' AND kind <> 'realized_performance' GROUP BY 1")).isEqualTo(Map.of("monitor-1", driftRows.get(dt)));

    // Whatever snapshot a reader planned on, each date was whole, and once there it stayed.
    List<Long> snapshots = spark.sql("SELECT snapshot_id FROM " + MONITORING + ".snapshots ORDER BY committed_at")
        .collectAsList().stream().map(r -> r.getLong(0)).toList();
    assertThat(snapshots).hasSize(3 + 2 + 1);
    java.util.Set<String> seen = new java.util.TreeSet<>();
    for (long id : snapshots) {
      java.util.Set<String> present = new java.util.TreeSet<>();
      for (Row r : spark.sql("SELECT CAST(dt AS STRING), kind = 'realized_performance', count(*), count(DISTINCT run_id) FROM "
          + MONITORING + " VERSION AS OF " + id + " GROUP BY 1, 2").collectAsList()) {
        String at = "snapshot " + id + " dt=" + r.getString(0) + " realized=" + r.getBoolean(1);
        assertThat(r.getLong(2)).as(at).isEqualTo((r.getBoolean(1) ? realizedRows : driftRows).get(r.getString(0)));
        assertThat(r.getLong(3)).as(at).isEqualTo(1);
        present.add(at.substring(at.indexOf(" dt=")));
      }
      assertThat(present).as("snapshot " + id).containsAll(seen);
      seen.addAll(present);
    }
    assertThat(seen).hasSize(3 + 2);
  }

  /** {@code monitor --new} on Iceberg finds exactly the date scored again since it was monitored. */
  @Test
  @Order(6)
  void monitorNewFindsTheDateScoredAgain() {
    assertThat(jobs.ok("monitor", "--new", "--set", ICEBERG).get("dates")).isEmpty();
    jobs.ok("score", "--dt", DAYS.get(2), "--set", ICEBERG);
    assertThat(jobs.ok("monitor", "--new", "--set", ICEBERG, "--run-id", "monitor-new").get("dates"))
        .extracting(d -> d.get("dt").asText()).containsExactly(DAYS.get(2));
    assertThat(latestSummary(MONITORING)).containsEntry("glmpipe.run-id", "monitor-new").containsEntry("glmpipe.dt", DAYS.get(2));
    assertThat(jobs.ok("monitor", "--new", "--set", ICEBERG).get("dates")).isEmpty();
  }

  @Test
  @Order(7)
  void maintainCompactsAndExpiresOldSnapshots() {
    for (int i = 0; i < 2; i++) {
      jobs.ok("score", "--dt", DAYS.get(0), "--set", ICEBERG);
    }
    // Files of a date written by several tasks, compacted once at least two are there.
    JsonNode maintained = jobs.ok("maintain", "--set", ICEBERG, "--set", "storage.iceberg.maintenance.min_input_files=2");
    assertThat(maintained.get("tables")).extracting(t -> t.get("table").asText()).containsExactly(TABLE, MONITORING);
    JsonNode scores = maintained.get("tables").get(0);
    assertThat(scores.get("rewritten_data_files").asLong()).isGreaterThan(scores.get("added_data_files").asLong());
    assertThat(spark.sql("SELECT count(*) FROM " + TABLE).first().getLong(0)).isEqualTo(validRows);
    // Fresh snapshots are kept (time travel reaches back expire_after_days); a month later only retain_last stay.
    long snapshots = spark.sql("SELECT * FROM " + TABLE + ".snapshots").count();
    assertThat(scores.get("snapshots_after").asLong()).isEqualTo(snapshots).isGreaterThan(3);
    IcebergConfig.Maintenance keepTwo = new IcebergConfig.Maintenance(7, 2, null, null);
    IcebergMaintenance.Result later = IcebergMaintenance.of(spark, keepTwo)
        .at(System.currentTimeMillis() + TimeUnit.DAYS.toMillis(30))
        .execute(dev.glmpipe.score.ScoresTables.icebergTable(context(), null, ""));
    assertThat(later.snapshotsAfter()).isEqualTo(2);
    assertThat(later.expiredDataFiles()).isPositive();
    assertThat(spark.sql("SELECT count(*) FROM " + TABLE).first().getLong(0)).isEqualTo(validRows);
  }

  /**
   * Parquet with {@code --table}: each run writes the date to a directory of its own and the
   * catalog's partition is pointed at it; the replaced directory stays for the grace period,
   * then maintain removes it.
   */
  @Test
  @Order(8)
  void catalogPublishedParquetPointsEachDateAtItsRunDirectory() throws Exception {
    jobs.ok("score", "--dt", DAYS.get(2), "--table", "glm.churn_published", "--run-id", "first");
    jobs.ok("score", "--dt", DAYS.get(2), "--table", "glm.churn_published", "--run-id", "second");
    Path date = root.resolve("scores/churn/dt=" + DAYS.get(2));
    List<String> runs = Files.list(date).map(p -> p.getFileName().toString()).filter(n -> n.startsWith("run=")).sorted().toList();
    assertThat(runs).hasSize(2).allMatch(n -> n.startsWith("run=first-") || n.startsWith("run=second-"));
    String location = spark.sql("DESCRIBE TABLE EXTENDED glm.churn_published PARTITION (dt = '" + DAYS.get(2) + "')")
        .where("col_name = 'Location'").first().getString(1);
    assertThat(location).contains("run=second-");
    Dataset<Row> rows = spark.sql("SELECT * FROM glm.churn_published WHERE dt = '" + DAYS.get(2) + "'");
    assertThat(rows.select("customer_id").distinct().count()).isEqualTo(rows.count()).isPositive();
    // Within the grace period nothing goes; with none, the replaced run directory and the files
    // the rename swap had left in dt= are removed, and the catalog's date still reads whole.
    assertThat(jobs.ok("maintain", "--table", "glm.churn_published").get("removed_directories")).isEmpty();
    JsonNode swept = jobs.ok("maintain", "--table", "glm.churn_published", "--set", "score.replaced_runs_grace_minutes=0");
    assertThat(swept.get("removed_directories")).hasSize(2);
    assertThat(Files.list(date).map(p -> p.getFileName().toString()).toList()).singleElement()
        .matches(n -> n.startsWith("run=second-"));
    assertThat(spark.sql("SELECT count(*) FROM glm.churn_published WHERE dt = '" + DAYS.get(2) + "'").first().getLong(0))
        .isEqualTo(rows.count());
    // monitor finds the date where the ledger says it is.
    assertThat(jobs.ok("monitor", "--dt", DAYS.get(2)).get("dates")).hasSize(1);
  }

  /**
   * A monitoring table's rows by metric ({@code dt|version|kind|feature|metric}, each once):
   * value, status, rows, run_id.
   */
  private Map<String, Row> metrics(String query) {
    Map<String, Row> out = new java.util.HashMap<>();
    spark.sql(query).createOrReplaceTempView("monitoring_rows");
    for (Row r : spark.sql("SELECT concat_ws('|', CAST(dt AS STRING), model_version, kind, coalesce(feature, '-'), metric),"
        + " value, status, rows, run_id FROM monitoring_rows").collectAsList()) {
      assertThat(out.put(r.getString(0), org.apache.spark.sql.RowFactory.create(r.get(1), r.get(2), r.get(3), r.get(4))))
          .as("one row per metric: " + r.getString(0)).isNull();
    }
    return out;
  }

  /** Rows per date ({@code yyyy-MM-dd}) of {@code table}, {@code where} (e.g. " WHERE …") applied. */
  private Map<String, Long> rowsPerDate(String table, String where) {
    return countsBy("SELECT CAST(dt AS STRING), count(*) FROM " + table + where + " GROUP BY 1");
  }

  /** A query's (string, long) rows as a map. */
  private Map<String, Long> countsBy(String query) {
    Map<String, Long> out = new java.util.TreeMap<>();
    spark.sql(query).collectAsList().forEach(r -> out.put(r.getString(0), r.getLong(1)));
    return out;
  }

  private Map<String, String> latestSummary(String table) {
    return spark.sql("SELECT summary FROM " + table + ".snapshots ORDER BY committed_at DESC LIMIT 1").first().getJavaMap(0);
  }

  private dev.glmpipe.runs.PipelineContext context() {
    dev.glmpipe.config.GlmpipeConfig config = dev.glmpipe.config.ConfigLoader.load(List.of("../conf/local.yaml"),
        List.of("storage.root=" + root.toUri(), ICEBERG));
    return dev.glmpipe.runs.PipelineContext.of(spark, config);
  }
}
