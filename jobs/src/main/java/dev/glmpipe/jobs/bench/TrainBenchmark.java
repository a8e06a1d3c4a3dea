package dev.glmpipe.jobs.bench;

import dev.glmpipe.Columns;
import dev.glmpipe.JobStages;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.datagen.SyntheticTable;
import dev.glmpipe.io.DateRange;
import dev.glmpipe.io.PartitionedTable;
import dev.glmpipe.io.TableLayout;
import dev.glmpipe.jobs.JobCommand;
import dev.glmpipe.registry.ModelVersion;
import dev.glmpipe.runs.PipelineContext;
import dev.glmpipe.train.HoldoutSplit;
import dev.glmpipe.train.TrainModel;
import dev.glmpipe.train.TrainingFrames;
import dev.glmpipe.train.TrainingRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Measures {@code train} against what a user would write without glmpipe: the MLlib guide's
 * pipeline (a StringIndexer per categorical column, OneHotEncoder, VectorAssembler,
 * LogisticRegression with its defaults and the same maxIter and tol) fitted on the same training
 * rows of the same generated table and saved, in the same Spark session. Rounds alternate
 * between the two and the fastest of each counts, so JIT warm-up and the page cache favour
 * neither. Both models' training log loss must agree within 1e-6: they solve the same problem.
 */
public final class TrainBenchmark {
  private static final Logger LOG = LoggerFactory.getLogger(TrainBenchmark.class);
  private static final LocalDate DAY = LocalDate.of(2026, 1, 1);
  static final int NUMERIC = 20;
  static final double LOG_LOSS_TOLERANCE = 1e-6;

  public record Config(GlmpipeConfig config, long rows, int rounds) {}

  /**
   * @param peakHeapMb the JVM's peak heap use during the fastest run of each (driver and
   *     executors share the JVM in local mode)
   * @param peakCachedMb the most memory Spark's caches held at once (MLlib's blocks included)
   * @param peakCachedDiskMb the same on local disk
   */
  public record Result(String job, long rows, long trainRows, int partitions, double mllibSeconds, double glmpipeSeconds,
      double trainTimeVsMllib, int mllibIterations, int glmpipeIterations, double mllibLogLoss, double glmpipeLogLoss,
      boolean logLossMatches, long mllibPeakHeapMb, long glmpipePeakHeapMb, long mllibPeakCachedMb,
      long glmpipePeakCachedMb, long mllibPeakCachedDiskMb, long glmpipePeakCachedDiskMb,
      double floorEncodeSeconds, double floorSolveSeconds, double floorSeconds, double trainFloorVsMllib) {}

  /**
   * The floor of the work any trainer on MLlib's solver must do, timed in two parts: one read
   * of the training rows encoded into cached feature vectors by the already fitted index,
   * one-hot and assemble stages, and MLlib's LogisticRegression on those cached vectors (its
   * summary pass and the solver's passes over its blocks).
   */
  private record Floor(double encodeSeconds, double solveSeconds) {
    double seconds() {
      return encodeSeconds + solveSeconds;
    }
  }

  /** A timed run's figures. */
  private record Run(double seconds, long peakHeapMb, long peakCachedMb, long peakCachedDiskMb) {}

  public Result run(PipelineContext context, Config job) {
    SparkSession spark = context.spark();
    GlmpipeConfig c = job.config();
    TableLayout layout = context.layout();
    PartitionedTable features = new PartitionedTable(spark, layout.features());
    JobStages.describe(spark, "bench", "bench", "bench: generate " + job.rows() + " rows");
    table().generate(spark, job.rows()).write().mode(org.apache.spark.sql.SaveMode.Overwrite).parquet(features.partition(DAY).toString());

    HoldoutSplit split = HoldoutSplit.of(c.train().holdout(), List.of(DAY));
    Dataset<Row> training = TrainingFrames.training(features.read(List.of(DAY)), split);
    String baselineDir = new Path(layout.root(), "bench-mllib-model").toString();
    CacheMeter cache = new CacheMeter(spark);

    Run best = null;
    Run mine = null;
    PipelineModel baseline = null;
    TrainingRun.Result trained = null;
    Floor floor = null;
    for (int round = 0; round < job.rounds(); round++) {
      JobStages.describe(spark, "bench", "bench", "bench: plain MLlib pipeline");
      long t0 = start(cache);
      baseline = mllibPipeline(c).fit(training);
      save(baseline, baselineDir);
      Run b = finish(cache, t0);
      best = best == null || b.seconds() < best.seconds() ? b : best;

      long t1 = start(cache);
      TrainingRun run = TrainModel.of(context.spark(), context.config()).window(DateRange.day(DAY)).execute();
      ModelVersion version = context.registry().register(run, context.runId());
      trained = run.result(version.id(), version.dir().toString());
      Run g = finish(cache, t1);
      mine = mine == null || g.seconds() < mine.seconds() ? g : mine;

      JobStages.describe(spark, "bench", "bench", "bench: floor (encode once, solve on cached vectors)");
      Floor f = floor(c, baseline, training);
      floor = floor == null || f.seconds() < floor.seconds() ? f : floor;
      LOG.info("round {}: mllib {} s, glmpipe {} s, floor {} s (encode {} s, solve {} s)", round + 1,
          BenchOptions.fmt(b.seconds()), BenchOptions.fmt(g.seconds()), BenchOptions.fmt(f.seconds()),
          BenchOptions.fmt(f.encodeSeconds()), BenchOptions.fmt(f.solveSeconds()));
    }
    cache.close();

    JobStages.describe(spark, "bench", "bench", "bench: training log loss of both models");
    double mllibLoss = logLoss(baseline.transform(training), "label");
    PipelineModel glmpipe = context.registry().version(trained.version()).pipeline();
    double glmpipeLoss = logLoss(glmpipe.transform(TrainingFrames.withLabel(training, c.dataset().label())), Columns.LABEL);
    org.apache.spark.ml.classification.LogisticRegressionModel lr =
        (org.apache.spark.ml.classification.LogisticRegressionModel) baseline.stages()[baseline.stages().length - 1];
    return new Result("bench-train", job.rows(), trained.trainRows(), training.rdd().getNumPartitions(),
        best.seconds(), mine.seconds(), mine.seconds() / best.seconds(), lr.summary().totalIterations(), trained.iterations(),
        mllibLoss, glmpipeLoss, Math.abs(mllibLoss - glmpipeLoss) <= LOG_LOSS_TOLERANCE,
        best.peakHeapMb(), mine.peakHeapMb(), best.peakCachedMb(), mine.peakCachedMb(),
        best.peakCachedDiskMb(), mine.peakCachedDiskMb(),
        floor.encodeSeconds(), floor.solveSeconds(), floor.seconds(), floor.seconds() / best.seconds());
  }

  /** Times the {@link Floor}: {@code fitted}'s feature stages (all but the last) applied once, then the solver alone. */
  private static Floor floor(GlmpipeConfig c, PipelineModel fitted, Dataset<Row> training) {
    System.gc();
    long t0 = System.nanoTime();
    Dataset<Row> encoded = training;
    for (int i = 0; i < fitted.stages().length - 1; i++) {
      encoded = fitted.stages()[i].transform(encoded);
    }
    encoded = encoded.select("features", "label").persist(StorageLevel.MEMORY_AND_DISK());
    encoded.count();
    double encode = BenchOptions.seconds(t0);
    long t1 = System.nanoTime();
    new LogisticRegression().setLabelCol("label").setMaxIter(c.model().maxIter()).setTol(c.model().tol()).fit(encoded);
    double solve = BenchOptions.seconds(t1);
    encoded.unpersist(true);
    return new Floor(encode, solve);
  }

  /**
   * The MLlib guide's way: index each categorical column, one-hot encode the indexes, assemble
   * with the numeric columns, fit a logistic regression with its defaults (no regularization,
   * standardization on) and the configured iteration limit and tolerance.
   */
  static Pipeline mllibPipeline(GlmpipeConfig c) {
    List<PipelineStage> stages = new ArrayList<>();
    List<String> assembled = new ArrayList<>();
    for (int i = 1; i <= NUMERIC; i++) {
      assembled.add(numeric(i));
    }
    String[] categorical = {"c10", "c50"};
    for (String col : categorical) {
      stages.add(new StringIndexer().setInputCol(col).setOutputCol(col + "_index"));
    }
    stages.add(new OneHotEncoder()
        .setInputCols(new String[] {"c10_index", "c50_index"})
        .setOutputCols(new String[] {"c10_vec", "c50_vec"}));
    assembled.add("c10_vec");
    assembled.add("c50_vec");
    stages.add(new VectorAssembler().setInputCols(assembled.toArray(String[]::new)).setOutputCol("features"));
    stages.add(new LogisticRegression().setLabelCol("label").setMaxIter(c.model().maxIter()).setTol(c.model().tol()));
    return new Pipeline().setStages(stages.toArray(PipelineStage[]::new));
  }

  /**
   * The benchmark table, generated by the executors (so any size works): {@value #NUMERIC}
   * numeric columns uniform in [-s, s] for scales s of 1 to 5, categoricals of 10 and 50
   * values, and a 0/1 label drawn from a known logistic model of all of them.
   */
  static SyntheticTable table() {
    SyntheticTable.Builder table = SyntheticTable.builder(1).key("id", "B##########");
    Map<String, Double> truth = new LinkedHashMap<>();
    truth.put("intercept", -0.3);
    for (int i = 1; i <= NUMERIC; i++) {
      double scale = 1 + i % 5;
      table.doubles(numeric(i), -scale, scale, 6);
      truth.put(numeric(i), (i % 2 == 0 ? 0.4 : -0.3) / scale);
    }
    List<String> c10 = new ArrayList<>();
    List<String> c50 = new ArrayList<>();
    for (int k = 0; k < 50; k++) {
      if (k < 10) {
        c10.add("a" + k);
        truth.put("c10=a" + k, 0.1 * k - 0.45);
      }
      c50.add("b" + k);
      truth.put("c50=b" + k, 0.02 * k - 0.5);
    }
    return table.categorical("c10", c10).categorical("c50", c50).logisticLabel("label", truth).build();
  }

  static String numeric(int i) {
    return String.format(Locale.ROOT, "x%02d", i);
  }

  private static double logLoss(Dataset<Row> predictions, String label) {
    return new MulticlassClassificationEvaluator().setLabelCol(label).setProbabilityCol(Columns.PROBABILITY)
        .setMetricName("logLoss").evaluate(predictions);
  }

  private static void save(PipelineModel model, String dir) {
    try {
      model.write().overwrite().save(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save " + dir, e);
    }
  }

  /** Starts a measured run: collects garbage, resets the peaks, returns the start time. */
  private static long start(CacheMeter cache) {
    System.gc();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      pool.resetPeakUsage();
    }
    cache.resetPeak();
    return System.nanoTime();
  }

  private static Run finish(CacheMeter cache, long start) {
    double seconds = BenchOptions.seconds(start);
    long heap = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        heap += pool.getPeakUsage().getUsed();
      }
    }
    return new Run(seconds, heap >> 20, cache.peak() >> 20, cache.peakDisk() >> 20);
  }

  /**
   * The most memory and disk Spark's cached datasets (RDD and Dataset caches, MLlib's training
   * blocks included) took at once, sampled every 50 ms.
   */
  static final class CacheMeter implements AutoCloseable {
    private final SparkSession spark;
    private final AtomicLong peakMemory = new AtomicLong();
    private final AtomicLong peakDisk = new AtomicLong();
    private final Thread sampler;
    private volatile boolean running = true;

    CacheMeter(SparkSession spark) {
      this.spark = spark;
      sampler = new Thread(() -> {
        while (running) {
          sample();
          try {
            Thread.sleep(50);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "bench-cache-meter");
      sampler.setDaemon(true);
      sampler.start();
    }

    private void sample() {
      long memory = 0;
      long disk = 0;
      for (org.apache.spark.storage.RDDInfo info : spark.sparkContext().getRDDStorageInfo()) {
        memory += info.memSize();
        disk += info.diskSize();
      }
      peakMemory.accumulateAndGet(memory, Math::max);
      peakDisk.accumulateAndGet(disk, Math::max);
    }

    void resetPeak() {
      peakMemory.set(0);
      peakDisk.set(0);
    }

    long peak() {
      sample();
      return peakMemory.get();
    }

    long peakDisk() {
      return peakDisk.get();
    }

    @Override
    public void close() {
      running = false;
      sampler.interrupt();
    }
  }

  @Command(name = "bench-train",
      description = "Benchmark: train vs the MLlib guide's pipeline on the same generated table.")
  public static final class Cli extends JobCommand<Config> {
    @Mixin BenchOptions bench;

    @Override
    protected Config options(GlmpipeConfig config) {
      return new Config(config, bench.rows, bench.rounds);
    }

    @Override
    protected Object run(PipelineContext context, Config config) {
      return new TrainBenchmark().run(context, config);
    }
  }
}
