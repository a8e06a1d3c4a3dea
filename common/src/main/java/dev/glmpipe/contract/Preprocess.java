package dev.glmpipe.contract;

import dev.glmpipe.DriverThreads;
import dev.glmpipe.GlmpipeException;
import dev.glmpipe.RunFigures;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.io.DateRange;
import dev.glmpipe.io.PartitionContract;
import dev.glmpipe.io.PartitionedTable;
import dev.glmpipe.io.RawInput;
import dev.glmpipe.io.TableLayout;
import dev.glmpipe.runs.PipelineContext;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The preprocess operation: raw partition → contract check → features table (valid rows,
 * typed) and quarantine table (rejected rows with every reason). Each date is independent and
 * idempotent: its features partition is published whole, or (over the quarantine limit) not at
 * all, and an earlier run's rows for it are dropped.
 *
 * <pre>Preprocess.of(context).dates(range).execute()</pre>
 */
public final class Preprocess {
  private static final Logger LOG = LoggerFactory.getLogger(Preprocess.class);

  /**
   * Rows gathered in memory during the single pass, failed ones and ones sharing a key each.
   * More failed rows than this (a broken feed, usually) and the quarantine is written by a
   * second pass over the input; more rows sharing a key and the uniqueness rule shuffles.
   */
  static final int ROWS_IN_MEMORY = 100_000;

  /** {@code contractSha256}: the contract the rows were checked against (recorded with a published partition). */
  public record Partition(String dt, boolean published, String featuresPath, String quarantinePath, String contractSha256,
      ContractReport report) {}

  public record Result(String job, long inputRows, long validRows, long quarantinedRows, List<Partition> partitions)
      implements RunFigures.Source {
    @Override
    public RunFigures runFigures() {
      return new RunFigures(inputRows, validRows, quarantinedRows, null, partitions.stream().map(Partition::dt).toList(),
          null);
    }
  }

  private final PipelineContext context;
  private DateRange dates;

  private Preprocess(PipelineContext context) {
    this.context = context;
  }

  public static Preprocess of(PipelineContext context) {
    return new Preprocess(context);
  }

  public Preprocess dates(DateRange dates) {
    this.dates = dates;
    return this;
  }

  /** Checks each date in turn; a date over the quarantine limit fails the run after every date was tried. */
  public Result execute() {
    SparkSession spark = context.spark();
    TableLayout layout = context.layout();
    PartitionedTable raw = new PartitionedTable(spark, layout.raw());
    PartitionedTable features = new PartitionedTable(spark, layout.features());
    PartitionedTable quarantine = new PartitionedTable(spark, layout.quarantine());
    ContractValidator validator = new ContractValidator(context.config().dataset().contract());
    PartitionContract recorded = ContractRecord.of(context.config().dataset().contract());
    double maxFraction = context.config().dataset().contract().maxQuarantineFraction();

    List<Partition> done = new ArrayList<>();
    List<String> breaches = new ArrayList<>();
    for (LocalDate dt : dates.dates()) {
      Partition p = preprocess(dt, validator, recorded, raw, features, quarantine);
      if (!p.published()) {
        ContractReport report = p.report();
        breaches.add(String.format(java.util.Locale.ROOT, "dt=%s quarantined %d of %d rows (%.2f%% > max %.2f%%)",
            dt, report.quarantinedRows(), report.inputRows(), 100 * report.quarantineFraction(), 100 * maxFraction));
      }
      done.add(p);
    }
    if (!breaches.isEmpty()) {
      throw GlmpipeException.dataContract("not published, too many rows quarantined: " + String.join("; ", breaches)
          + " (rows kept under " + quarantine.root() + ")");
    }
    long in = done.stream().mapToLong(p -> p.report().inputRows()).sum();
    long valid = done.stream().mapToLong(p -> p.report().validRows()).sum();
    return new Result("preprocess", in, valid, in - valid, done);
  }

  /**
   * One date: one pass over the input (after a read of the key columns alone, for the
   * uniqueness rule) writes valid rows to a staging directory while failed rows are gathered in
   * memory, then checked again alone for their reasons; the staged files' footers count the
   * valid rows, and the partition is published only once the counts are known and within the
   * quarantine limit.
   */
  private Partition preprocess(LocalDate dt, ContractValidator validator, PartitionContract recorded, PartitionedTable raw,
      PartitionedTable features, PartitionedTable quarantine) {
    SparkSession spark = context.spark();
    GlmpipeConfig c = context.config();
    String group = "preprocess-" + dt;
    context.describe(group, "read", "preprocess dt=" + dt + ": read raw, find keys seen more than once");
    Path partition = raw.partition(dt);
    Dataset<Row> input = RawInput.reading(spark, partition, () -> RawInput.read(spark, partition, c.dataset().input()));
    ContractValidator.ColumnCheck columns = validator.checkColumns(input.columns(), partition.toString());
    if (!columns.extra().isEmpty()) {
      LOG.warn("dt={}: columns not in the contract are ignored (kept in quarantine rows): {}", dt, columns.extra());
    }
    SinglePassCheck check = RawInput.reading(spark, partition,
        () -> SinglePassCheck.plan(spark, validator, input, ROWS_IN_MEMORY));
    context.describe(group, "check", "preprocess dt=" + dt + ": check the contract and write valid rows");
    // What a killed run of this date left hidden (staged or set-aside partitions) goes first.
    features.recover(dt);
    quarantine.recover(dt);
    Path staging = features.stagingPath(dt);
    Path quarantineStaging = quarantine.stagingPath(dt);
    Map<String, String> parquetOptions = PartitionedTable.withoutDictionary(validator.neverRepeatingColumns());
    ContractReport report;
    CompletableFuture<Void> lateRows = CompletableFuture.completedFuture(null);
    boolean staged = false;
    try {
      RawInput.reading(spark, partition, () -> {
        features.writeStaged(check.validRows(), staging, parquetOptions);
        return staging;
      });
      SinglePassCheck.Outcome outcome = check.finish(columns, features.rowsIn(staging));
      if (outcome.hasLateValidRows()) {
        // Written while the quarantine is: two small jobs into two tables, whose time is
        // mostly planning on the driver, so neither waits for the other.
        lateRows = CompletableFuture.runAsync(() -> {
          context.describe(group, "dedupe", "preprocess dt=" + dt + ": write the winners among rows sharing a key");
          features.addToStaged(outcome.lateValidRows(), staging, parquetOptions);
        }, DriverThreads.POOL);
      }
      context.describe(group, "quarantine", "preprocess dt=" + dt + ": write quarantine");
      report = RawInput.reading(spark, partition,
          () -> outcome.writeQuarantine(rows -> quarantine.writeStaged(rows, quarantineStaging, Map.of())));
      DriverThreads.joined(lateRows);
      staged = true;
    } finally {
      if (!staged) {
        lateRows.exceptionally(e -> null).join();  // nothing may still be writing into it
        features.discard(staging);  // a failed write leaves nothing behind, not even hidden
        quarantine.discard(quarantineStaging);
      }
    }
    // Swapped in whole, as scores are: a reader sees the old partition or the new one, never
    // one half deleted (deleting a directory in place removes its files one by one).
    quarantine.swapIn(quarantineStaging, dt);
    boolean publish = !report.exceeds(c.dataset().contract().maxQuarantineFraction());
    if (publish) {
      context.phase("publish");
      // Inside the staged directory: published with the rows, never missing beside them.
      features.writeContract(staging, recorded);
      features.swapIn(staging, dt);
    } else {
      features.discard(staging);
      // A rerun that fails its contract must not leave an earlier run's rows for this date to
      // train or score on.
      features.drop(dt);
    }
    LOG.info("dt={}: {} rows, {} valid, {} quarantined {}", dt, report.inputRows(), report.validRows(),
        report.quarantinedRows(), report.rowsByReason());
    return new Partition(dt.toString(), publish, features.partition(dt).toString(), quarantine.partition(dt).toString(),
        recorded.sha256(), report);
  }
}
