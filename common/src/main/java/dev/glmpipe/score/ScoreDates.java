package dev.glmpipe.score;

import dev.glmpipe.DriverThreads;
import dev.glmpipe.GlmpipeException;
import dev.glmpipe.JobStages;
import dev.glmpipe.RunFigures;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.config.ScoreConfig;
import dev.glmpipe.io.DateRange;
import dev.glmpipe.io.PartitionLock;
import dev.glmpipe.io.PartitionedTable;
import dev.glmpipe.io.TableLayout;
import dev.glmpipe.registry.ModelManifest;
import dev.glmpipe.registry.ModelVersion;
import dev.glmpipe.runs.PipelineContext;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The score operation: scores feature partitions with the verified champion into
 * {@code scores/<model>/dt=…}: the dates given, or ({@link #newOnly}) every committed input
 * partition the scoring ledger has not seen scored. Each date is written to a staging
 * directory and swapped in whole, then recorded in the ledger; rerunning a date replaces that
 * partition and nothing else.
 *
 * <pre>ScoreDates.of(context).dates(range).shadow("previous").catalogTable("db.scores").execute()</pre>
 */
public final class ScoreDates {
  private static final Logger LOG = LoggerFactory.getLogger(ScoreDates.class);

  private final PipelineContext context;
  private DateRange range;
  private boolean newOnly;
  private boolean rescore;
  private String shadowVersion;
  private String catalogTable;

  private ScoreDates(PipelineContext context) {
    this.context = context;
  }

  public static ScoreDates of(PipelineContext context) {
    return new ScoreDates(context);
  }

  /** Score these dates (each rescored if already scored). */
  public ScoreDates dates(DateRange dates) {
    this.range = dates;
    return this;
  }

  /**
   * Score every committed partition the ledger does not show scored (see
   * {@link ScoringLedger#needsScoring}); with {@code rescore}, also those scored by a version
   * other than the champion.
   */
  public ScoreDates newOnly(boolean rescore) {
    this.newOnly = true;
    this.rescore = rescore;
    return this;
  }

  /** Also score every date with this version (or alias) into {@code scores/<model>_shadow}. */
  public ScoreDates shadow(String versionOrAlias) {
    this.shadowVersion = versionOrAlias;
    return this;
  }

  /** Register each scored partition in this catalog table ({@code db.name}), creating it if needed. */
  public ScoreDates catalogTable(String table) {
    this.catalogTable = table;
    return this;
  }

  public record Partition(String dt, long rows, String path) {}

  /**
   * {@code table}: the catalog table holding the scores (the Iceberg table, or {@code --table});
   * {@code tablePartitions}: how many dates it lists after the run.
   */
  public record Result(String job, String model, String modelVersion, String engine, String fallbackReason,
      long rows, List<Partition> partitions, Double parityMaxDifference, String shadowVersion, String table,
      Long tablePartitions) implements RunFigures.Source {
    /** Every row read is written: scoring keeps rows one to one. */
    @Override
    public RunFigures runFigures() {
      return new RunFigures(rows, rows, null, modelVersion, partitions.stream().map(Partition::dt).toList(), null);
    }
  }

  public Result execute() {
    SparkSession spark = context.spark();
    GlmpipeConfig c = context.config();
    TableLayout layout = context.layout();
    // Every file of the champion is checked against its manifest before it scores anything: a
    // tampered or damaged model is refused (exit 3). The model is read meanwhile, and used only
    // once the check has passed.
    ModelVersion champion = context.registry().champion();
    String version = champion.id();
    long loadStart = System.nanoTime();
    CompletableFuture<PipelineModel> loading = CompletableFuture.supplyAsync(() -> {
      context.describe("load", "load", "load " + c.model().name() + " version " + version);
      return champion.pipeline();
    }, DriverThreads.POOL);
    PipelineScorer.Engine engine = c.score().engine() == ScoreConfig.Engine.MLLIB ? PipelineScorer.Engine.MLLIB : PipelineScorer.Engine.COMPILED;

    PartitionedTable features = context.features();
    ScoreTarget main = new ScoreTarget(spark, layout.scores(c.model().name()),
        ScoresTables.publishing(context, catalogTable, ""), context.runId());
    List<LocalDate> dates = newOnly ? newDates(features, main.ledger(), version, rescore) : range.dates();
    // Check every date first: a run that will fail on day 5 should fail before writing day 1.
    features.requireCommitted(dates);
    // ... and fits the model: a partition preprocessed again under a contract that dropped or
    // retyped a column the model reads is refused before anything is written.
    InputSchemaCheck.require(features, dates, champion);
    // No other score of these dates may write meanwhile: a second run stops here, before it
    // writes or scores anything, naming the run that holds them (see PartitionLock).
    PartitionLock lock = main.lock(dates);
    try {
      // The first date's parity sample is read while the model is verified and compiled.
      DateInput first = dates.isEmpty() ? null : DateInput.open(spark, features, dates.get(0), c, engine);

      champion.requireVerified();
      ModelManifest manifest = champion.manifest();
      PipelineModel model = DriverThreads.joined(loading);
      LOG.info("verified and loaded {} version {} in {} s", c.model().name(), version, secs(System.nanoTime() - loadStart));
      PipelineScorer scorer = new PipelineScorer(model, c.model().name(), version, engine);
      LOG.info("scoring with {} version {} ({} model)", c.model().name(), version, manifest.modelType());

      PipelineScorer shadow = null;
      ScoreTarget shadowTarget = null;
      if (shadowVersion != null) {
        ModelVersion other = context.registry().resolve(shadowVersion).requireVerified();
        InputSchemaCheck.require(features, dates, other);
        shadow = new PipelineScorer(other.pipeline(), c.model().name(), other.id(), engine);
        shadowTarget = new ScoreTarget(spark, layout.scores(c.model().name() + "_shadow"),
            ScoresTables.publishing(context, null, "_shadow"), context.runId());
      }

      List<Partition> done = new ArrayList<>();
      Double parity = null;
      for (int i = 0; i < dates.size(); i++) {
        long t0 = System.nanoTime();
        DateInput day = i == 0 ? first : DateInput.open(spark, features, dates.get(i), c, engine);
        LocalDate dt = day.dt();
        Dataset<Row> input = day.input();
        // The check starts as soon as its sample is read: it compiles the pipeline for the sample
        // itself, so it need not wait for the compile below (and finds the same stages compilable).
        CompletableFuture<Double> checked = checkParity(spark, scorer, day.sample(), c, dt);
        scorer = scorer.forInput(input);
        shadow = shadow == null ? null : shadow.forInput(input);
        long committedAt = features.committedAt(dt);
        long t1 = System.nanoTime();
        context.describe("score-" + dt, "score", "score dt=" + dt + " with " + c.model().name() + " " + version);
        ScoreTarget.Written written = main.write(scorer, input, c, dt, committedAt, day.sample(), checked);
        done.add(written.partition());
        parity = max(parity, written.parity());
        LOG.info("score dt={}: {} rows, plan {} s, score, check and publish {} s", dt, written.partition().rows(), secs(t1 - t0), secs(System.nanoTime() - t1));
        if (shadow != null) {
          context.describe("shadow-" + dt, "shadow", "shadow-score dt=" + dt);
          shadowTarget.write(shadow, input, c, dt, committedAt, day.sample(), checkParity(spark, shadow, day.sample(), c, dt));
        }
      }
      return new Result("score", c.model().name(), version, scorer.engine().name().toLowerCase(java.util.Locale.ROOT),
          scorer.fallbackReason().orElse(null), done.stream().mapToLong(Partition::rows).sum(), done, parity,
          shadow == null ? null : shadowVersion, tableName(main.publishing(), catalogTable),
          done.isEmpty() ? null : tablePartitions(main.publishing()));
    } finally {
      lock.close();
    }
  }

  /** The catalog table the scores are in: the Iceberg table, or {@code --table} over Parquet. */
  private static String tableName(ScoreTarget.Publishing publishing, String catalogTable) {
    return publishing instanceof ScoreTarget.Iceberg iceberg ? iceberg.table().toString() : catalogTable;
  }

  /** How many dates the catalog table lists after the run (null without one). */
  private static Long tablePartitions(ScoreTarget.Publishing publishing) {
    if (publishing instanceof ScoreTarget.Iceberg iceberg) {
      return (long) iceberg.table().committedDates().size();
    }
    return publishing instanceof ScoreTarget.Catalog catalog ? catalog.table().partitions() : null;
  }

  /** Committed input partitions the ledger does not show scored (see {@link ScoringLedger#needsScoring}). */
  static List<LocalDate> newDates(PartitionedTable features, ScoringLedger ledger, String version, boolean rescore) {
    return features.committedDates().stream()
        .filter(dt -> ledger.needsScoring(dt, version, features.committedAt(dt), rescore))
        .toList();
  }

  /**
   * One date's input and its parity sample, which is read on a driver thread from the moment
   * the date is opened (a small Spark job).
   */
  private record DateInput(LocalDate dt, Dataset<Row> input, CompletableFuture<ParityCheck.Sample> sample) {
    static DateInput open(SparkSession spark, PartitionedTable features, LocalDate dt, GlmpipeConfig c,
        PipelineScorer.Engine engine) {
      Dataset<Row> input = features.read(List.of(dt)).drop(PartitionedTable.DT);
      return new DateInput(dt, input,
          CompletableFuture.supplyAsync(() -> paritySample(spark, input, c, dt, engine), DriverThreads.POOL));
    }
  }

  /**
   * The rows this date's parity checks compare on, or null when no check will run. Read before
   * the scoring job starts: a job submitted after it would queue behind all its tasks.
   */
  private static ParityCheck.Sample paritySample(SparkSession spark, Dataset<Row> input, GlmpipeConfig c, LocalDate dt,
      PipelineScorer.Engine engine) {
    if (engine != PipelineScorer.Engine.COMPILED || c.score().parityRows() == 0) {
      return null;
    }
    JobStages.describe(spark, "parity-" + dt, "parity", "parity: a sample of dt=" + dt + " to score with both engines");
    return ParityCheck.sample(input, c.score().parityRows());
  }

  /**
   * The compiled scorer against MLlib on the sample, on a driver thread from the moment the
   * sample is read: next to the pipeline's compile, then next to the scoring job (it runs no
   * Spark job: the sample is a local relation, and the loaded imputers hold their surrogates on
   * the driver). Completes with the largest difference, or null when not checked (including a
   * pipeline the compiler does not know, which the scorer's own compile then reports).
   */
  private static CompletableFuture<Double> checkParity(SparkSession spark, PipelineScorer scorer,
      CompletableFuture<ParityCheck.Sample> sample, GlmpipeConfig c, LocalDate dt) {
    return sample.thenApplyAsync(rows -> {
      if (scorer.engine() != PipelineScorer.Engine.COMPILED || rows == null) {
        return null;
      }
      long wall = System.nanoTime();
      long cpu = threadCpuNanos();
      ParityCheck.Result parity;
      try {
        parity = ParityCheck.run(spark, scorer, rows, c.dataset().keyColumns());
      } catch (UnsupportedStageException e) {
        return null;  // scored with MLlib: forInput says why
      }
      if (!parity.passed()) {
        throw new GlmpipeException(GlmpipeException.EXIT_FAILURE, "compiled scorer disagrees with MLlib on dt=" + dt + ", "
            + parity.mismatch() + " (tolerance " + ParityCheck.TOLERANCE + "); nothing was written for this date;"
            + " score.engine=mllib scores with MLlib");
      }
      // What the check costs: in local mode its thread shares the cores with the scoring tasks.
      LOG.info("parity dt={}: {} rows, largest difference {}, checked in {} s ({} CPU-s)", dt, parity.rows(),
          parity.maxDifference(), secs(System.nanoTime() - wall), secs(threadCpuNanos() - cpu));
      return parity.maxDifference();
    }, DriverThreads.POOL);
  }

  /** This thread's CPU time, or 0 where the JVM does not measure it. */
  private static long threadCpuNanos() {
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    return threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : 0;
  }

  private static String secs(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.2f", nanos / 1e9);  // a decimal point in any locale
  }

  private static Double max(Double a, Double b) {
    // Not one conditional expression: mixing Double and double there unboxes a null.
    if (a == null || b == null) {
      return a == null ? b : a;
    }
    return Math.max(a, b);
  }
}
