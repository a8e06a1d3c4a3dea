package dev.glmpipe.contract;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * The contract check of one partition with a single pass over its rows: the valid rows are
 * written while failed rows are gathered (and counted by reason) on the side.
 *
 * <p>The uniqueness rule needs all rows of a key together. Shuffling every row by key for it
 * would cost more than the rest of the check, so {@link #plan} first reads the key columns
 * alone and finds the keys seen more than once (a handful, normally). In the pass, valid rows
 * with such a key are held back with the failed rows; {@link #finish} then ranks just those
 * and returns the winners, which the caller adds to what it wrote. When the held rows would
 * not fit in memory (a file delivered twice, say), the rule runs inside the pass instead,
 * shuffling by key: slower, same result.
 *
 * <p>Use: {@link #plan}, consume {@link #validRows} with one action (the write), then
 * {@link #finish}.
 */
public final class SinglePassCheck {
  private static final Logger LOG = LoggerFactory.getLogger(SinglePassCheck.class);
  private static final String CANDIDATE = "_candidate";

  private final SparkSession spark;
  private final ContractValidator validator;
  private final Dataset<Row> validated;
  private final RowCollector failed;
  private final RowCollector held;

  private SinglePassCheck(SparkSession spark, ContractValidator validator, Dataset<Row> validated,
      boolean holdsCandidates, int rowsInMemory) {
    this.spark = spark;
    this.validator = validator;
    this.validated = validated;
    this.failed = RowCollector.register(spark, rowsInMemory, true);
    this.held = holdsCandidates ? RowCollector.register(spark, rowsInMemory, false) : null;
  }

  /**
   * Plans the check of {@code input}. With a uniqueness rule this runs the key pre-pass: one
   * read of the key columns, and a shuffle of one 64-bit hash per row.
   *
   * @param rowsInMemory most rows gathered on the side, failed and held back each
   */
  public static SinglePassCheck plan(SparkSession spark, ContractValidator validator, Dataset<Row> input,
      int rowsInMemory) {
    Dataset<Row> checked = validator.check(input);
    if (!validator.hasUniqueKey()) {
      return new SinglePassCheck(spark, validator, checked, false, rowsInMemory);
    }
    String hash = ContractValidator.KEY_HASH;
    // Each repeated hash stands for two rows or more, so more than rowsInMemory / 2 of them
    // means the shuffling path below: no more are brought to the driver (a partition where
    // most keys repeat would otherwise send about one hash for every two rows).
    List<Tuple2<Long, Long>> repeated = RepeatedKeys.find(validator.keyHashes(input))
        .limit(rowsInMemory / 2 + 1).collectAsList();
    long candidateRows = repeated.stream().mapToLong(Tuple2::_2).sum();
    if (repeated.isEmpty()) {
      return new SinglePassCheck(spark, validator, checked, false, rowsInMemory);
    }
    if (candidateRows > rowsInMemory) {
      LOG.warn("{} or more rows share a key with another row, more than the {} held in memory: "
          + "applying the uniqueness rule with a shuffle of every row", candidateRows, rowsInMemory);
      return new SinglePassCheck(spark, validator, validator.markDuplicates(checked), false, rowsInMemory);
    }
    List<Row> hashRows = repeated.stream().map(t -> RowFactory.create(t._1(), true)).toList();
    Dataset<Row> hashes = spark.createDataFrame(hashRows, new StructType().add(hash, DataTypes.LongType)
        .add(CANDIDATE, DataTypes.BooleanType));
    Dataset<Row> flagged = checked.withColumn(hash, validator.keyHash())
        .join(broadcast(hashes), new String[] {hash}, "left_outer")
        .withColumn(CANDIDATE, col(CANDIDATE).isNotNull())
        .drop(hash);
    return new SinglePassCheck(spark, validator, flagged, true, rowsInMemory);
  }

  /**
   * The valid rows to write, but for those held back. Consume them with exactly one action;
   * it also gathers (and counts) the failed and held-back ones.
   */
  public Dataset<Row> validRows() {
    return validator.validCollecting(validated, failed, held == null ? null : col(CANDIDATE), held);
  }

  /** What the pass found, once {@link #validRows} were consumed. */
  public record Outcome(ContractReport report, Dataset<Row> lateValidRows, Dataset<Row> quarantine) {
    /** True when {@link #lateValidRows} must be added to the rows written by the pass. */
    public boolean hasLateValidRows() {
      return lateValidRows != null;
    }
  }

  /**
   * Ranks the held-back rows by the uniqueness rule, and gives the counts (given how many rows
   * the action that consumed {@link #validRows} saw), the winners among the
   * held-back rows (to add to the written rows; null when none were held), and the quarantine
   * table's rows. The quarantine reads the input again only when more rows failed than were
   * gathered.
   */
  public Outcome finish(ContractValidator.ColumnCheck columns, long validRowsWritten) {
    // Every row went one way: written, failed or held back (and held rows are valid until ranked).
    long input = validRowsWritten + failed.count() + (held == null ? 0 : held.count());
    long valid = validRowsWritten + (held == null ? 0 : held.count());
    ContractReport report = new ContractReport(input, valid, input - valid, failed.rowsByReason(), columns.extra(),
        columns.missingOptional());
    Dataset<Row> quarantine;
    if (failed.complete()) {
      quarantine = validator.quarantined(spark, validated, failed.rows());
    } else {
      LOG.warn("{} rows failed, more than the {} kept in memory: reading the input again for the quarantine",
          failed.count(), failed.rows().size());
      quarantine = validator.quarantined(validated);
    }
    if (held == null || held.count() == 0) {
      return new Outcome(report, null, quarantine);
    }
    // Ranked once and brought back (at most rowsInMemory rows), so the count, the winners and
    // the losers' quarantine rows do not each rerun the ranking.
    Dataset<Row> ranking = validator.rankDuplicates(spark.createDataFrame(held.rows(), validated.schema()));
    List<Row> rankedRows = ranking.collectAsList();
    Dataset<Row> ranked = spark.createDataFrame(rankedRows, ranking.schema());
    long losers = rankedRows.stream().filter(r -> !"".equals(r.getAs(ContractValidator.REASONS))).count();
    return new Outcome(report.withDuplicates(losers), validator.valid(ranked), quarantine.unionByName(validator.quarantined(ranked)));
  }
}
