package dev.glmpipe.contract;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The contract check of one partition with a single pass over its rows: the valid rows are
 * written while failed rows are gathered on the side, as they were read. Their reasons are
 * named and counted after the pass, over the gathered rows alone ({@link
 * ContractValidator#screen} says why).
 *
 * <p>The uniqueness rule needs all rows of a key together. Shuffling every row by key for it
 * would cost more than the rest of the check, so {@link #plan} first reads the key columns
 * alone and finds the keys seen more than once (a handful, normally). In the pass, valid rows
 * with such a key are held back with the failed rows; {@link #finish} then ranks just those
 * and returns the winners, which the caller adds to what it wrote.
 *
 * <p>Two rare cases read the input a second time, for the quarantine and the counts: more
 * failed rows than fit in memory (a broken feed), and more rows sharing a key than fit (a file
 * delivered twice, say; the uniqueness rule then shuffles every row by key, in both reads).
 *
 * <p>Use: {@link #plan}, consume {@link #validRows} with one action (the write), {@link
 * #finish}, then {@link Outcome#writeQuarantine}.
 */
public final class SinglePassCheck {
  private static final Logger LOG = LoggerFactory.getLogger(SinglePassCheck.class);
  private static final String CANDIDATE = "_candidate";
  private static final String LOSERS = "losers";

  private final SparkSession spark;
  private final ContractValidator validator;
  private final Dataset<Row> input;
  /** Screened rows, with {@link #CANDIDATE} when valid rows may be held back; null when {@link #shuffled}. */
  private final Dataset<Row> screened;
  /** Every rule, the uniqueness rule by a shuffle of every row; null but when too many rows share keys. */
  private final Dataset<Row> shuffled;
  private final RowCollector failed;
  private final RowCollector held;

  private SinglePassCheck(SparkSession spark, ContractValidator validator, Dataset<Row> input, Dataset<Row> screened,
      Dataset<Row> shuffled, boolean holdsCandidates, int rowsInMemory) {
    this.spark = spark;
    this.validator = validator;
    this.input = input;
    this.screened = screened;
    this.shuffled = shuffled;
    this.failed = shuffled == null ? RowCollector.register(spark, rowsInMemory) : null;
    this.held = holdsCandidates ? RowCollector.register(spark, rowsInMemory) : null;
  }

  /**
   * Plans the check of {@code input}. With a uniqueness rule this runs the key pre-pass: one
   * read of the key columns, and a shuffle of one 64-bit hash per row.
   *
   * @param rowsInMemory most rows gathered on the side, failed and held back each
   */
  public static SinglePassCheck plan(SparkSession spark, ContractValidator validator, Dataset<Row> input,
      int rowsInMemory) {
    Dataset<Row> screened = validator.screen(input);
    if (!validator.hasUniqueKey()) {
      return new SinglePassCheck(spark, validator, input, screened, null, false, rowsInMemory);
    }
    String hash = ContractValidator.KEY_HASH;
    // Each repeated hash stands for two rows or more, so a partition with more than
    // rowsInMemory / 2 of them means the shuffling path below: it sends no more to the driver
    // (where most keys repeat it would otherwise send about one hash for every two rows).
    RepeatedKeys.Found repeated = RepeatedKeys.find(validator.keyHashes(input), rowsInMemory / 2 + 1);
    if (repeated.isEmpty()) {
      return new SinglePassCheck(spark, validator, input, screened, null, false, rowsInMemory);
    }
    if (!repeated.complete() || repeated.rows() > rowsInMemory) {
      LOG.warn("{} or more rows share a key with another row, more than the {} held in memory: "
          + "applying the uniqueness rule with a shuffle of every row", repeated.rows(), rowsInMemory);
      return new SinglePassCheck(spark, validator, input, null,
          validator.markDuplicates(validator.check(input)), false, rowsInMemory);
    }
    List<Row> hashRows = java.util.Arrays.stream(repeated.hashes()).mapToObj(h -> RowFactory.create(h, true)).toList();
    Dataset<Row> hashes = spark.createDataFrame(hashRows, new StructType().add(hash, DataTypes.LongType)
        .add(CANDIDATE, DataTypes.BooleanType));
    Dataset<Row> flagged = screened.withColumn(hash, validator.screenedKeyHash())
        .join(broadcast(hashes), new String[] {hash}, "left_outer")
        .withColumn(CANDIDATE, col(CANDIDATE).isNotNull())
        .drop(hash);
    return new SinglePassCheck(spark, validator, input, flagged, null, true, rowsInMemory);
  }

  /**
   * The valid rows to write, but for those held back. Consume them with exactly one action;
   * it also gathers the failed and held-back ones.
   */
  public Dataset<Row> validRows() {
    if (shuffled != null) {
      return validator.valid(shuffled);
    }
    return validator.validCollecting(screened, input.columns(), failed, held == null ? null : col(CANDIDATE), held);
  }

  /** What the pass found, once {@link #validRows} were consumed. */
  public static final class Outcome {
    private final Dataset<Row> lateValidRows;
    private final Dataset<Row> quarantine;
    private final Supplier<ContractReport> report;

    private Outcome(Dataset<Row> lateValidRows, Dataset<Row> quarantine, Supplier<ContractReport> report) {
      this.lateValidRows = lateValidRows;
      this.quarantine = quarantine;
      this.report = report;
    }

    /** True when {@link #lateValidRows} must be added to the rows written by the pass. */
    public boolean hasLateValidRows() {
      return lateValidRows != null;
    }

    /** The winners among held-back rows, to add to the written rows; null when none were held. */
    public Dataset<Row> lateValidRows() {
      return lateValidRows;
    }

    /**
     * Hands the quarantine table's rows to {@code write} (one action), then gives the counts:
     * when the quarantine reads the input again, the counts are taken in that same read.
     */
    public ContractReport writeQuarantine(Consumer<Dataset<Row>> write) {
      write.accept(quarantine);
      return report.get();
    }
  }

  /**
   * Plans the ranking of the held-back rows by the uniqueness rule, the quarantine and the counts
   * (given how many rows the action that consumed {@link #validRows} wrote).
   */
  public Outcome finish(ContractValidator.ColumnCheck columns, long validRowsWritten) {
    if (shuffled != null) {
      return outcome(shuffled, columns, null, null, null, counted -> counted);
    }
    Dataset<Row> late = null;
    Dataset<Row> lateQuarantine = null;
    Observation losers = null;
    if (held != null && held.count() > 0) {
      // Ranked in one partition (the windows then need no shuffle) by each of the two writes
      // that use it: at most rowsInMemory rows, so ranking twice is cheap, and no job of its
      // own runs between the pass and the writes. The same plan over the same rows in the same
      // order ranks them the same both times.
      Dataset<Row> ranked = validator.rankDuplicates(validator.checkPassed(frameOf(held.rows()).coalesce(1)));
      late = validator.valid(ranked);
      losers = new Observation();
      lateQuarantine = validator.quarantined(ranked).observe(losers, count(lit(1)).as(LOSERS));
    }
    if (!failed.complete()) {
      LOG.warn("{} rows failed, more than the {} kept in memory: reading the input again for the quarantine",
          failed.count(), failed.rows().size());
      return outcome(validator.check(input), columns, late, lateQuarantine, losers, counted -> counted);
    }
    // Every row went one way: written, failed or held back (and held rows are valid until ranked);
    // the check of the gathered failed rows counts their reasons.
    long heldRows = held == null ? 0 : held.count();
    long inputRows = validRowsWritten + failed.count() + heldRows;
    long valid = validRowsWritten + heldRows;
    return outcome(validator.check(frameOf(failed.rows())), columns, late, lateQuarantine, losers,
        counted -> new ContractReport(inputRows, valid, inputRows - valid, counted.rowsByReason(), columns.extra(),
            columns.missingOptional()));
  }

  /**
   * The quarantine: the failed rows of {@code checked} (the input read again, or the gathered
   * failed rows) and the losers among held-back rows. {@code checked} and the losers are
   * counted while the quarantine is written, and {@code report} makes the partition's report
   * from those counts.
   */
  private Outcome outcome(Dataset<Row> checked, ContractValidator.ColumnCheck columns, Dataset<Row> late,
      Dataset<Row> lateQuarantine, Observation losers, UnaryOperator<ContractReport> report) {
    Observation counts = new Observation();
    Dataset<Row> quarantine = validator.quarantined(validator.observe(checked, counts));
    if (lateQuarantine != null) {
      quarantine = quarantine.unionByName(lateQuarantine);
    }
    return new Outcome(late, quarantine, () -> report.apply(ContractValidator.report(counts, columns))
        .withDuplicates(losers == null ? 0 : ((Number) ContractValidator.values(losers).get(LOSERS)).longValue()));
  }

  /**
   * Rows the pass gathered, as a distributed frame: over a local relation Spark would evaluate
   * the check on the driver, row by row and interpreted.
   */
  private Dataset<Row> frameOf(List<Row> rows) {
    return spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows),
        input.schema());
  }
}
