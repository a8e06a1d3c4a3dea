package dev.glmpipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;

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
 * The scores table in both formats, through the launcher: Parquet and Iceberg hold the same
 * scores; an Iceberg rerun replaces one date in one snapshot that names the run, time travel
 * finds the rows it replaced, monitor reads the Iceberg table, and maintain compacts and expires;
 * Parquet dates published through the catalog each live in their own run directory.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IcebergScoresIT {
  private static final List<String> DAYS = List.of("2026-11-01", "2026-11-02", "2026-11-03");
  private static final String ICEBERG = "score.table_format=iceberg";
  private static final String TABLE = "glmpipe.glmpipe.scores_churn";

  @TempDir static Path root;

  private final SparkSession spark = SharedSpark.get();
  private JobRunner jobs;
  private long validRows;

  @BeforeAll
  void champion() {
    jobs = new JobRunner(root, "datagen.rows_per_day=1000");
    jobs.ok("datagen", "--from", DAYS.get(0), "--to", DAYS.get(2));
    for (JsonNode p : jobs.ok("preprocess", "--from", DAYS.get(0), "--to", DAYS.get(2)).get("partitions")) {
      validRows += p.get("report").get("valid_rows").asLong();
    }
    jobs.ok("train", "--from", DAYS.get(0), "--to", DAYS.get(1));
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

  @Test
  @Order(3)
  void monitorReadsTheIcebergScores() {
    JsonNode monitor = jobs.ok("monitor", "--dt", DAYS.get(2), "--set", ICEBERG);
    assertThat(monitor.get("dates")).hasSize(1);
  }

  @Test
  @Order(4)
  void maintainCompactsAndExpiresOldSnapshots() {
    for (int i = 0; i < 2; i++) {
      jobs.ok("score", "--dt", DAYS.get(0), "--set", ICEBERG);
    }
    // Files of a date written by several tasks, compacted once at least two are there.
    JsonNode maintained = jobs.ok("maintain", "--set", ICEBERG, "--set", "storage.iceberg.maintenance.min_input_files=2");
    JsonNode scores = maintained.get("tables").get(0);
    assertThat(scores.get("table").asText()).isEqualTo(TABLE);
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
  @Order(5)
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

  private dev.glmpipe.runs.PipelineContext context() {
    dev.glmpipe.config.GlmpipeConfig config = dev.glmpipe.config.ConfigLoader.load(List.of("../conf/local.yaml"),
        List.of("storage.root=" + root.toUri(), ICEBERG));
    return dev.glmpipe.runs.PipelineContext.of(spark, config);
  }
}
