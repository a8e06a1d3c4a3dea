package dev.glmpipe.score;

import dev.glmpipe.DriverThreads;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.io.CatalogPublishedTable;
import dev.glmpipe.io.IcebergTable;
import dev.glmpipe.io.PartitionLock;
import dev.glmpipe.io.PartitionedTable;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * One scores table: its partitions, its ledger and locks (always under the table's directory),
 * and how a date is published: swapped into {@code dt=<dt>} by renames (the default), written to
 * a directory of its own and published by repointing the catalog's partition
 * ({@link CatalogPublishedTable}, with {@code --table}), or committed to an Iceberg table
 * ({@link IcebergTable}). A date is published whole only once its parity check passed, then
 * recorded in the ledger.
 */
final class ScoreTarget {
  /** How a scored date becomes visible to readers. */
  sealed interface Publishing permits Swap, Catalog, Iceberg {}

  /** Staged under {@code _staging}, then renamed into {@code dt=<dt>}. */
  record Swap() implements Publishing {}

  /** A directory per run, published by the catalog; replaced ones kept for {@code grace}. */
  record Catalog(CatalogPublishedTable table, Duration grace) implements Publishing {}

  /** One Iceberg commit per date. */
  record Iceberg(IcebergTable table) implements Publishing {}

  private final SparkSession spark;
  private final PartitionedTable table;
  private final ScoringLedger ledger;
  private final Publishing publishing;
  private final String runId;
  private PartitionLock lock;

  /** {@code runId}: the run that writes, stamped on its ledger records and commits (null outside a job). */
  ScoreTarget(SparkSession spark, Path root, Publishing publishing, String runId) {
    this.spark = spark;
    this.table = new PartitionedTable(spark, root);
    this.ledger = new ScoringLedger(spark.sparkContext().hadoopConfiguration(), root);
    this.publishing = publishing;
    this.runId = runId;
  }

  ScoringLedger ledger() {
    return ledger;
  }

  Publishing publishing() {
    return publishing;
  }

  /**
   * Claims {@code dates} of this table for the run (see {@link PartitionLock}): another score of
   * one of them running now stops this run, before anything is written, with one line naming it.
   * Each date is then published only while the claim is still this run's.
   */
  PartitionLock lock(List<LocalDate> dates) {
    lock = PartitionLock.acquire(spark.sparkContext().hadoopConfiguration(), table.root(), dates, "score", runId);
    return lock;
  }

  /** A published partition and the parity check's largest difference (null if not checked). */
  record Written(ScoreDates.Partition partition, Double parity) {}

  /**
   * Writes the scored rows while {@code parity} checks a sample on a driver thread, publishes
   * them whole only if it passed, then records them in the ledger. The scoring job starts once
   * {@code sample} is read: that small job would otherwise wait behind all of this one's tasks.
   */
  Written write(PipelineScorer scorer, Dataset<Row> input, GlmpipeConfig c, LocalDate dt, long inputCommittedAt,
      CompletableFuture<?> sample, CompletableFuture<Double> parity) {
    if (!(publishing instanceof Iceberg)) {
      // Under the date's claim (when held) whatever a run left here is a dead run's: tidied.
      table.recover(dt);
    }
    Dataset<Row> scored = scorer.score(input, c.dataset().keyColumns(), c.score().passThroughOrEmpty());
    if (scorer.engine() == PipelineScorer.Engine.COMPILED) {
      PipelineScorer.allowCodegenFor(spark, scored);
    }
    if (publishing instanceof Iceberg iceberg) {
      return commit(iceberg.table(), scorer, scored, c, dt, inputCommittedAt, sample, parity);
    }
    Path staging = publishing instanceof Catalog catalog ? catalog.table().runPath(dt, runId) : table.stagingPath(dt);
    Double parityDifference;
    long rows;
    try {
      DriverThreads.joined(sample);
      table.writeStaged(scored, staging,
          PartitionedTable.withoutDictionary(scorer.neverRepeatingColumns(c.dataset().keyColumns())));
      // From the staged files' footers: an observation counting the rows as they are written
      // would cut the generated code in two and copy every row between the halves.
      rows = table.rowsIn(staging);
      parityDifference = DriverThreads.joined(parity);
    } catch (RuntimeException e) {
      parity.cancel(false);
      table.discard(staging);
      throw e;
    }
    if (lock != null) {
      lock.requireHeld(dt);
    }
    if (publishing instanceof Catalog catalog) {
      catalog.table().publish(staging, dt, scored.schema());
      record(scorer, dt, rows, inputCommittedAt, staging.toString());
      catalog.table().removeReplaced(dt, List.of(staging), catalog.grace(), System.currentTimeMillis());
      return new Written(new ScoreDates.Partition(dt.toString(), rows, staging.toString()), parityDifference);
    }
    table.swapIn(staging, dt);
    record(scorer, dt, rows, inputCommittedAt, null);
    return new Written(new ScoreDates.Partition(dt.toString(), rows, table.partition(dt).toString()), parityDifference);
  }

  /**
   * The Iceberg write is the commit, so the parity check must have passed before it starts:
   * the sample is scored both ways first (it already ran next to the compile), then the date is
   * replaced in one commit.
   */
  private Written commit(IcebergTable iceberg, PipelineScorer scorer, Dataset<Row> scored, GlmpipeConfig c, LocalDate dt,
      long inputCommittedAt, CompletableFuture<?> sample, CompletableFuture<Double> parity) {
    Double parityDifference;
    try {
      DriverThreads.joined(sample);
      parityDifference = DriverThreads.joined(parity);
    } catch (RuntimeException e) {
      parity.cancel(false);
      throw e;
    }
    if (lock != null) {
      lock.requireHeld(dt);
    }
    iceberg.createIfMissing(scored.schema());
    Map<String, String> summary = new LinkedHashMap<>();
    summary.put("glmpipe.job", "score");
    summary.put("glmpipe.model", c.model().name());
    summary.put("glmpipe.model-version", scorer.modelVersion());
    String commitId = runId != null ? runId : "score-" + java.util.UUID.randomUUID();
    IcebergTable.Commit commit = iceberg.replaceDate(scored, dt, commitId, summary);
    record(scorer, dt, commit.rows(), inputCommittedAt, null);
    return new Written(new ScoreDates.Partition(dt.toString(), commit.rows(), iceberg.toString()), parityDifference);
  }

  private void record(PipelineScorer scorer, LocalDate dt, long rows, long inputCommittedAt, String location) {
    ledger.record(new ScoringLedger.Entry(dt.toString(), scorer.modelVersion(), rows,
        ZonedDateTime.now(ZoneOffset.UTC).toString(), inputCommittedAt, scorer.engine().name().toLowerCase(java.util.Locale.ROOT),
        runId, location));
  }
}
