package dev.glmpipe.score;

import dev.glmpipe.DriverThreads;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.io.PartitionLock;
import dev.glmpipe.io.PartitionedTable;
import dev.glmpipe.io.ScoresCatalog;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * One scores table: its partitions, its ledger, and optionally its catalog entry. A date is
 * staged, published whole once its parity check passed, then recorded in the ledger.
 */
final class ScoreTarget {
  private final SparkSession spark;
  private final PartitionedTable table;
  private final ScoringLedger ledger;
  private final String catalogTable;
  private final String runId;
  private PartitionLock lock;

  /** {@code runId}: the run that writes, stamped on its ledger records (null outside a job). */
  ScoreTarget(SparkSession spark, Path root, String catalogTable, String runId) {
    this.spark = spark;
    this.table = new PartitionedTable(spark, root);
    this.ledger = new ScoringLedger(spark.sparkContext().hadoopConfiguration(), root);
    this.catalogTable = catalogTable;
    this.runId = runId;
  }

  ScoringLedger ledger() {
    return ledger;
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
   * Stages the scored rows while {@code parity} checks a sample on a driver thread, publishes
   * them whole only if it passed, then records them in the ledger. The scoring job starts once
   * {@code sample} is read: that small job would otherwise wait behind all of this one's tasks.
   */
  Written write(PipelineScorer scorer, Dataset<Row> input, GlmpipeConfig c, LocalDate dt, long inputCommittedAt,
      CompletableFuture<?> sample, CompletableFuture<Double> parity) {
    // Under the date's claim (when held) whatever a run left here is a dead run's: tidied.
    table.recover(dt);
    Dataset<Row> scored = scorer.score(input, c.dataset().keyColumns(), c.score().passThroughOrEmpty());
    if (scorer.engine() == PipelineScorer.Engine.COMPILED) {
      PipelineScorer.allowCodegenFor(spark, scored);
    }
    Path staging = table.stagingPath(dt);
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
    table.swapIn(staging, dt);
    ledger.record(new ScoringLedger.Entry(dt.toString(), scorer.modelVersion(), rows,
        ZonedDateTime.now(ZoneOffset.UTC).toString(), inputCommittedAt, scorer.engine().name().toLowerCase(java.util.Locale.ROOT),
        runId));
    if (catalogTable != null) {
      ScoresCatalog.addPartition(spark, catalogTable, table, scored.schema(), dt);
    }
    return new Written(new ScoreDates.Partition(dt.toString(), rows, table.partition(dt).toString()), parityDifference);
  }
}
