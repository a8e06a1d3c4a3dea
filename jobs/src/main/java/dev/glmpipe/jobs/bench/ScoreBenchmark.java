package dev.glmpipe.jobs.bench;

import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;

import dev.glmpipe.Columns;
import dev.glmpipe.JobStages;
import dev.glmpipe.Sql;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.config.ScoreConfig;
import dev.glmpipe.config.TableFormat;
import dev.glmpipe.datagen.ChurnGenerator;
import dev.glmpipe.datagen.SyntheticTable;
import dev.glmpipe.io.DateRange;
import dev.glmpipe.io.PartitionedTable;
import dev.glmpipe.io.TableLayout;
import dev.glmpipe.jobs.JobCommand;
import dev.glmpipe.registry.ModelVersion;
import dev.glmpipe.config.MetricsConfig;
import dev.glmpipe.runs.PipelineContext;
import dev.glmpipe.runs.RunObserver;
import dev.glmpipe.score.PipelineScorer;
import dev.glmpipe.score.ScoreDates;
import dev.glmpipe.train.TrainModel;
import dev.glmpipe.train.TrainingRun;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Measures {@code score} against (a) a null model that reads the same input columns and writes
 * the same output schema with a constant score — the floor of reading and writing Parquet — and
 * (b) MLlib's {@code PipelineModel.transform} writing the same output, on the same generated
 * features partition in the same session. Each runs {@code rounds} times, alternating; the
 * fastest of each counts. Nothing is collected or cached, so any size works in a small heap.
 * With {@code score.table_format: iceberg} each round also scores the date into the Parquet
 * table, next to the Iceberg score, and the median of the rounds' Iceberg / Parquet ratios gives
 * what the Iceberg commit costs: paired in one session, the machine's drift cancels.
 */
public final class ScoreBenchmark {
  private static final Logger LOG = LoggerFactory.getLogger(ScoreBenchmark.class);
  private static final LocalDate TRAIN_DAY = LocalDate.of(2026, 1, 1);
  private static final LocalDate SCORE_DAY = LocalDate.of(2026, 1, 2);
  /** Numeric columns generated; scripts/bench-score.sh declares the same in the config. */
  static final int NUMERIC = 20;

  public record Config(GlmpipeConfig config, long rows, long trainRows, int rounds) {}

  /**
   * {@code nullModelSpeedupVsMllib}: MLlib's time over the null model's, the speedup a scorer
   * would show if scoring cost nothing beyond reading and writing the rows; no scorer's
   * {@code scoreSpeedupVsMllib} can be expected above it. {@code icebergWriteOverhead}: with
   * Iceberg scores, the median of the rounds' (Iceberg score / Parquet score) - 1; else null.
   */
  public record Result(String job, long rows, String engine, double copySeconds, double mllibSeconds, double scoreSeconds,
      double observedScoreSeconds, double scoreThroughputVsCopy, double scoreSpeedupVsMllib, double nullModelSpeedupVsMllib,
      double observabilityOverhead, double observerSeconds, Double parquetScoreSeconds, Double icebergWriteOverhead) {}

  public Result run(PipelineContext context, Config job) {
    SparkSession spark = context.spark();
    GlmpipeConfig c = job.config();
    TableLayout layout = context.layout();
    PartitionedTable features = new PartitionedTable(spark, layout.features());
    JobStages.describe(spark, "bench", "bench", "bench: generate " + job.rows() + " feature rows");
    features(1).generate(spark, job.trainRows()).write().mode(SaveMode.Overwrite).parquet(features.partition(TRAIN_DAY).toString());
    features(2).generate(spark, job.rows()).write().mode(SaveMode.Overwrite).parquet(features.partition(SCORE_DAY).toString());
    TrainingRun run = TrainModel.of(context.spark(), context.config()).window(DateRange.day(TRAIN_DAY)).execute();
    ModelVersion trained = context.registry().register(run, context.runId());
    context.registry().aliases().promote(trained.id());  // a benchmark model: no quality gate
    String version = trained.id();
    PipelineModel model = trained.pipeline();
    List<String> keys = c.dataset().keyColumns();
    List<String> pass = c.score().passThroughOrEmpty();

    double copy = Double.MAX_VALUE;
    double mllib = Double.MAX_VALUE;
    double score = Double.MAX_VALUE;
    double observed = Double.MAX_VALUE;
    List<Double> pairedRatios = new ArrayList<>();
    List<Double> observerCalls = new ArrayList<>();
    ScoreDates.Result last = null;
    PushSink sink = new PushSink();
    GlmpipeConfig pushing = withPushgateway(c, sink.url());
    boolean iceberg = c.score().tableFormat() == TableFormat.ICEBERG;
    PipelineContext parquet = new PipelineContext(spark, withParquetScores(c), layout, context.registry(), context.runId());
    double parquetScore = Double.MAX_VALUE;
    List<Double> icebergRatios = new ArrayList<>();
    for (int round = 0; round < job.rounds(); round++) {
      // Each contender finds and opens the partition inside its own timing, as score does.
      long t0 = System.nanoTime();
      JobStages.describe(spark, "bench", "bench", "bench: null model (read the model's inputs, write a constant score)");
      nullModel(scoreDay(features), model, keys, pass, c.model().name(), version)
          .write().mode(SaveMode.Overwrite).parquet(new Path(layout.root(), "bench-null").toString());
      copy = Math.min(copy, BenchOptions.seconds(t0));
      long t1 = System.nanoTime();
      JobStages.describe(spark, "bench", "bench", "bench: MLlib PipelineModel.transform");
      new PipelineScorer(model, c.model().name(), version, PipelineScorer.Engine.MLLIB).score(scoreDay(features), keys, pass)
          .write().mode(SaveMode.Overwrite).parquet(new Path(layout.root(), "bench-mllib").toString());
      mllib = Math.min(mllib, BenchOptions.seconds(t1));
      // Plain and observed score run back to back, in turns first, and each round's ratio
      // counts: the machine's drift between rounds then cancels instead of adding to the figure.
      // With Iceberg the Parquet score is the plain one's other neighbour, first or last in turn.
      double plainRound = 0;
      double observedRound = 0;
      double parquetRound = 0;
      List<Turn> turns = new ArrayList<>(iceberg ? List.of(Turn.PARQUET, Turn.PLAIN, Turn.OBSERVED) : List.of(Turn.PLAIN, Turn.OBSERVED));
      if (round % 2 == 1) {
        Collections.reverse(turns);
      }
      for (Turn turn : turns) {
        long t = System.nanoTime();
        switch (turn) {
          case OBSERVED -> {
            observerCalls.add(observedScore(context, pushing, round));
            observedRound = BenchOptions.seconds(t);
          }
          case PLAIN -> {
            last = ScoreDates.of(context).dates(DateRange.day(SCORE_DAY)).execute();
            plainRound = BenchOptions.seconds(t);
          }
          case PARQUET -> {
            ScoreDates.of(parquet).dates(DateRange.day(SCORE_DAY)).execute();
            parquetRound = BenchOptions.seconds(t);
          }
        }
      }
      score = Math.min(score, plainRound);
      observed = Math.min(observed, observedRound);
      pairedRatios.add(observedRound / plainRound);
      if (iceberg) {
        parquetScore = Math.min(parquetScore, parquetRound);
        icebergRatios.add(plainRound / parquetRound);
        LOG.info("round {}: Iceberg score {} s, Parquet score {} s", round + 1, BenchOptions.fmt(plainRound),
            BenchOptions.fmt(parquetRound));
      }
      LOG.info("round {}: null model {} s, MLlib {} s, score {} s, score with run record and metrics {} s", round + 1,
          BenchOptions.fmt(copy), BenchOptions.fmt(mllib), BenchOptions.fmt(plainRound), BenchOptions.fmt(observedRound));
    }
    sink.close();
    if (sink.pushes() != job.rounds()) {
      throw new IllegalStateException("the push sink received " + sink.pushes() + " pushes, expected " + job.rounds());
    }
    return new Result("bench-score", job.rows(), last.engine(), copy, mllib, score, observed, copy / score, mllib / score,
        mllib / copy, BenchOptions.median(pairedRatios) - 1, BenchOptions.median(observerCalls),
        iceberg ? parquetScore : null, iceberg ? BenchOptions.median(icebergRatios) - 1 : null);
  }

  /** The score runs of one round. */
  private enum Turn { PLAIN, OBSERVED, PARQUET }

  /**
   * The same score, watched as the launcher watches a run: task metrics listener, phase clock,
   * run record written to the runs table, metrics pushed (to a local sink). Returns the seconds
   * spent in the observer's own calls (attaching, and the record and push at the end): the
   * fixed part of what observing costs, measured directly rather than as a difference of two
   * noisy times.
   */
  private static double observedScore(PipelineContext context, GlmpipeConfig pushing, int round) {
    SparkSession spark = context.spark();
    String benchRun = spark.sparkContext().getLocalProperty(dev.glmpipe.RunId.SPARK_PROPERTY);
    String runId = "bench-score-observed-" + (round + 1);
    RunObserver observer = RunObserver.start(runId, "score");
    observer.configured(pushing, "bench", List.of(SCORE_DAY.toString()), "score");
    spark.sparkContext().setLocalProperty(dev.glmpipe.RunId.SPARK_PROPERTY, runId);
    ScoreDates.Result result;
    long attaching = System.nanoTime();
    double observerSeconds;
    try {
      observer.attach(spark);
      observerSeconds = BenchOptions.seconds(attaching);
      result = ScoreDates.of(context).dates(DateRange.day(SCORE_DAY)).execute();
    } finally {
      spark.sparkContext().setLocalProperty(dev.glmpipe.RunId.SPARK_PROPERTY, benchRun);
    }
    long finishing = System.nanoTime();
    observer.finish(result, 0, null);
    return observerSeconds + BenchOptions.seconds(finishing);
  }

  private static GlmpipeConfig withPushgateway(GlmpipeConfig c, String url) {
    return new GlmpipeConfig(c.storage(), c.spark(), c.dataset(), c.features(), c.model(), c.train(), c.evaluate(), c.score(),
        c.datagen(), c.export(), c.monitor(), new MetricsConfig(url, null, null, null, true), c.logging());
  }

  /** The same config with the scores written as a Parquet directory. */
  private static GlmpipeConfig withParquetScores(GlmpipeConfig c) {
    ScoreConfig s = c.score();
    return new GlmpipeConfig(c.storage(), c.spark(), c.dataset(), c.features(), c.model(), c.train(), c.evaluate(),
        new ScoreConfig(s.passThroughColumns(), s.engine(), s.parityRows(), TableFormat.PARQUET, s.replacedRunsGraceMinutes()),
        c.datagen(), c.export(), c.monitor(), c.metrics(), c.logging());
  }

  private static Dataset<Row> scoreDay(PartitionedTable features) {
    return features.read(List.of(SCORE_DAY)).drop(PartitionedTable.DT);
  }

  /** The output schema with a constant score, reading every column the model reads. */
  private static Dataset<Row> nullModel(Dataset<Row> input, PipelineModel model, List<String> keys, List<String> pass,
      String name, String version) {
    LinkedHashSet<String> out = new LinkedHashSet<>(keys);
    out.addAll(pass);
    List<Column> cols = new ArrayList<>();
    out.forEach(k -> cols.add(Sql.column(k)));
    // Use every input column (times zero: the data has no NaN or infinity), so the scan reads
    // what the model reads and the optimizer cannot drop it.
    Column touched = lit(0.0);
    for (org.apache.spark.sql.types.StructField f : input.schema().fields()) {
      if (!out.contains(f.name())) {
        Column v = f.dataType().equals(DataTypes.StringType) ? org.apache.spark.sql.functions.length(Sql.column(f.name())) : Sql.column(f.name());
        touched = touched.plus(lit(0.0).multiply(org.apache.spark.sql.functions.coalesce(v.cast(DataTypes.DoubleType), lit(0.0))));
      }
    }
    cols.add(lit(0.5).plus(touched).as(Columns.SCORE));
    cols.add(lit(0).as(Columns.PREDICTION));
    cols.add(lit(name).as(Columns.MODEL_NAME));
    cols.add(lit(version).as(Columns.MODEL_VERSION));
    cols.add(current_timestamp().as(Columns.SCORED_AT));
    return input.select(cols.toArray(Column[]::new));
  }

  /**
   * Feature rows: a key, {@link #NUMERIC} doubles in [0, 10) (5% null), two categoricals and a
   * 0/1 label from a known logistic model of them. Generated by the executors.
   */
  static SyntheticTable features(long seed) {
    SyntheticTable.Builder table = SyntheticTable.builder(seed).key("customer_id", "K");
    Map<String, Double> truth = new LinkedHashMap<>();
    truth.put("intercept", -0.5);
    for (int i = 0; i < NUMERIC; i++) {
      table.doubles("x" + i, 0, 10, 3).nulls(0.05);
      truth.put("x" + i, i % 2 == 0 ? 0.05 : -0.05);
    }
    truth.put("plan=premium", -0.7);
    return table.categorical("plan", ChurnGenerator.PLANS).categorical("region", ChurnGenerator.REGIONS)
        .logisticLabel("churned", truth).build();
  }

  @Command(name = "bench-score",
      description = "Benchmark: score vs a null model (same input and output) and vs MLlib transform.")
  public static final class Cli extends JobCommand<Config> {
    @Mixin BenchOptions bench;

    @Option(names = "--train-rows", defaultValue = "200000", description = "Rows to train on (default ${DEFAULT-VALUE}).")
    long trainRows;

    @Override
    protected Config options(GlmpipeConfig config) {
      return new Config(config, bench.rows, Math.min(trainRows, bench.rows), bench.rounds);
    }

    @Override
    protected Object run(PipelineContext context, Config config) {
      return new ScoreBenchmark().run(context, config);
    }
  }
}
