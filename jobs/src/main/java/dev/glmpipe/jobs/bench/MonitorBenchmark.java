package dev.glmpipe.jobs.bench;

import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import dev.glmpipe.JobStages;
import dev.glmpipe.Sql;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.datagen.ChurnGenerator;
import dev.glmpipe.io.PartitionedTable;
import dev.glmpipe.jobs.JobCommand;
import dev.glmpipe.baseline.Baseline;
import dev.glmpipe.baseline.BinnedCounts;
import dev.glmpipe.monitor.MonitorDates;
import dev.glmpipe.runs.PipelineContext;
import java.lang.management.ManagementFactory;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.feature.Bucketizer;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Measures what drift monitoring costs per date: {@link BinnedCounts#count} over every monitored
 * column of one features partition (the {@link ScoreBenchmark} table: 20 numeric columns cut
 * at their deciles, 2 categoricals with their levels), against
 *
 * <ul>
 *   <li><b>scan</b>: one plain Spark aggregate that reads and uses every monitored column (the
 *       row count, a sum per numeric column, a count and a summed length per categorical), the
 *       floor of reading those columns; and
 *   <li><b>per-column</b>: what a user would write without glmpipe, a job per column: MLlib's
 *       {@link Bucketizer} over the same edges then {@code groupBy(bucket).count()} for each
 *       numeric column, {@code groupBy(column).count()} for each categorical.
 * </ul>
 *
 * <p>All three read the same Parquet partition (not cached) and open it inside their own timing.
 * A warm-up round runs first and is not counted; then {@code rounds} timed rounds run the three
 * one after another, and the medians of their wall-clock seconds count (the JVM's CPU seconds
 * are reported beside them). Every round checks that the three agree (the same counts per bin,
 * rows, non-null counts, and numeric sums within 1e-9) and fails if they do not.
 */
public final class MonitorBenchmark {
  private static final Logger LOG = LoggerFactory.getLogger(MonitorBenchmark.class);
  private static final LocalDate DAY = LocalDate.of(2026, 1, 2);
  private static final double[] DECILES = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};
  /** Relative tolerance of a sum's check: the three add the same values in different orders. */
  private static final double SUM_TOLERANCE = 1e-9;

  public record Config(GlmpipeConfig config, long rows, int rounds) {}

  /**
   * Each timed round's seconds (wall clock and the JVM's CPU) and the medians of the wall-clock
   * seconds; {@code monitorVsScan} is the scan's median over
   * the monitor's (1.0: monitoring costs no more than reading the columns), and
   * {@code monitorSpeedupVsPerColumn} the per-column median over the monitor's.
   */
  public record Result(String job, long rows, int columns, int rounds, List<Double> scanSeconds,
      List<Double> perColumnSeconds, List<Double> monitorSeconds, double scanMedianSeconds,
      double perColumnMedianSeconds, double monitorMedianSeconds, List<Double> scanCpuSeconds,
      List<Double> perColumnCpuSeconds, List<Double> monitorCpuSeconds, double monitorVsScan,
      double monitorSpeedupVsPerColumn) {}

  /** What the scan aggregate returns: rows, and per column its sum and non-null count. */
  record Scanned(long rows, Map<String, Double> sums, Map<String, Long> nonNull) {}

  public Result run(PipelineContext context, Config job) {
    SparkSession spark = context.spark();
    PartitionedTable features = new PartitionedTable(spark, context.layout().features());
    JobStages.describe(spark, "bench", "bench", "bench: generate " + job.rows() + " feature rows");
    ScoreBenchmark.features(2).generate(spark, job.rows()).write().mode(SaveMode.Overwrite)
        .parquet(features.partition(DAY).toString());

    JobStages.describe(spark, "bench", "bench", "bench: deciles of the numeric columns (the bin edges)");
    List<BinnedCounts.Bins> bins = bins(day(features));
    Baseline baseline = baseline(bins);

    Timings scanTimes = new Timings();
    Timings perColumnTimes = new Timings();
    Timings monitorTimes = new Timings();
    for (int round = 0; round <= job.rounds(); round++) {
      boolean timed = round > 0;  // round 0 warms up
      JobStages.describe(spark, "bench", "bench", "bench: scan (one aggregate over every monitored column)");
      Scanned scanned = scanTimes.time(timed, () -> scan(day(features), bins));
      JobStages.describe(spark, "bench", "bench", "bench: per-column (Bucketizer or groupBy, a job per column)");
      Map<String, long[]> perColumn = perColumnTimes.time(timed, () -> perColumn(day(features), bins));
      JobStages.describe(spark, "bench", "bench", "bench: monitor (the monitor operation's pass over one date's features)");
      BinnedCounts.Result monitored = monitorTimes.time(timed, () -> monitorOneDate(day(features), baseline));

      verify(bins, scanned, perColumn, monitored, job.rows());
      LOG.info("{}: scan {} s (cpu {} s), per-column {} s (cpu {} s), monitor {} s (cpu {} s)",
          timed ? "round " + round : "warm-up round", BenchOptions.fmt(scanTimes.lastSeconds),
          BenchOptions.fmt(scanTimes.lastCpuSeconds), BenchOptions.fmt(perColumnTimes.lastSeconds),
          BenchOptions.fmt(perColumnTimes.lastCpuSeconds), BenchOptions.fmt(monitorTimes.lastSeconds),
          BenchOptions.fmt(monitorTimes.lastCpuSeconds));
    }
    double scan = median(scanTimes.seconds);
    double perColumn = median(perColumnTimes.seconds);
    double monitor = median(monitorTimes.seconds);
    return new Result("bench-monitor", job.rows(), bins.size(), job.rounds(), scanTimes.seconds, perColumnTimes.seconds,
        monitorTimes.seconds, scan, perColumn, monitor, scanTimes.cpuSeconds, perColumnTimes.cpuSeconds,
        monitorTimes.cpuSeconds, scan / monitor, perColumn / monitor);
  }

  /**
   * One contender's wall-clock and CPU seconds per timed round. The CPU seconds are the whole
   * JVM's (driver, executor threads in local mode, JIT and GC): on a shared machine they vary
   * less than the wall clock.
   */
  private static final class Timings {
    final List<Double> seconds = new ArrayList<>();
    final List<Double> cpuSeconds = new ArrayList<>();
    double lastSeconds;
    double lastCpuSeconds;

    <T> T time(boolean timed, java.util.function.Supplier<T> run) {
      long cpu0 = processCpuNanos();
      long t0 = System.nanoTime();
      T out = run.get();
      lastSeconds = BenchOptions.seconds(t0);
      lastCpuSeconds = (processCpuNanos() - cpu0) / 1e9;
      if (timed) {
        seconds.add(lastSeconds);
        cpuSeconds.add(lastCpuSeconds);
      }
      return out;
    }

    private static long processCpuNanos() {
      return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
  }

  /**
   * The timed monitor step: the monitor operation's pass over one date's features
   * ({@link MonitorDates#countInputs}), against a baseline with these bins, each input read
   * through its baseline expression as the operation reads it.
   */
  static BinnedCounts.Result monitorOneDate(Dataset<Row> day, Baseline baseline) {
    return MonitorDates.countInputs(day, baseline);
  }

  /** A baseline holding {@code bins} (training counts play no part in counting a date). */
  static Baseline baseline(List<BinnedCounts.Bins> bins) {
    List<Baseline.Column> columns = new ArrayList<>();
    for (BinnedCounts.Bins b : bins) {
      List<Long> zeros = java.util.Collections.nCopies(b.labels().size(), 0L);
      if (b instanceof BinnedCounts.Numeric n) {
        columns.add(new Baseline.Column(n.column(), "numeric", "CAST(" + Sql.quote(n.column()) + " AS DOUBLE)",
            java.util.Arrays.stream(n.edges()).boxed().toList(), null, zeros, null, null));
      } else {
        BinnedCounts.Categorical c = (BinnedCounts.Categorical) b;
        columns.add(new Baseline.Column(c.column(), "categorical", Sql.quote(c.column()), null, c.levels(), zeros, null, null));
      }
    }
    return new Baseline("bench", Baseline.TRAIN, DECILES.length + 1, 0, columns, null, 0, List.of());
  }

  private static Dataset<Row> day(PartitionedTable features) {
    return features.read(List.of(DAY)).drop(PartitionedTable.DT);
  }

  /** Numeric columns cut at their deciles (one pass, before any timing), categoricals at their levels. */
  static List<BinnedCounts.Bins> bins(Dataset<Row> day) {
    String[] numeric = new String[ScoreBenchmark.NUMERIC];
    for (int i = 0; i < numeric.length; i++) {
      numeric[i] = "x" + i;
    }
    double[][] deciles = day.stat().approxQuantile(numeric, DECILES, 0.001);
    List<BinnedCounts.Bins> bins = new ArrayList<>();
    for (int i = 0; i < numeric.length; i++) {
      bins.add(BinnedCounts.numeric(numeric[i], BinnedCounts.edgesFromQuantiles(deciles[i])));
    }
    bins.add(BinnedCounts.categorical("plan", ChurnGenerator.PLANS));
    bins.add(BinnedCounts.categorical("region", ChurnGenerator.REGIONS));
    return List.copyOf(bins);
  }

  /** One aggregate reading every monitored column: the row count, and a sum and non-null count per column. */
  static Scanned scan(Dataset<Row> day, List<BinnedCounts.Bins> bins) {
    List<Column> aggs = new ArrayList<>();
    for (BinnedCounts.Bins b : bins) {
      Column c = Sql.column(b.column());
      aggs.add(sum(b instanceof BinnedCounts.Numeric ? c : length(c)));
      aggs.add(count(c));
    }
    Row r = day.agg(count(lit(1)), aggs.toArray(Column[]::new)).first();
    Map<String, Double> sums = new LinkedHashMap<>();
    Map<String, Long> nonNull = new LinkedHashMap<>();
    for (int i = 0; i < bins.size(); i++) {
      String name = bins.get(i).column();
      sums.put(name, r.isNullAt(1 + 2 * i) ? 0.0 : ((Number) r.get(1 + 2 * i)).doubleValue());
      nonNull.put(name, r.getLong(2 + 2 * i));
    }
    return new Scanned(r.getLong(0), sums, nonNull);
  }

  /**
   * A job per column, as a user would write it: MLlib's Bucketizer over the same edges (with
   * -inf and +inf around them) and a group-by of the bucket, or a group-by of the level. Returns
   * each column's counts in BinnedCounts' bin order.
   */
  static Map<String, long[]> perColumn(Dataset<Row> day, List<BinnedCounts.Bins> bins) {
    Map<String, long[]> out = new LinkedHashMap<>();
    for (BinnedCounts.Bins b : bins) {
      long[] counts = new long[b.labels().size()];
      int nullBin = counts.length - 1;
      if (b instanceof BinnedCounts.Numeric n) {
        double[] edges = n.edges();
        double[] splits = new double[edges.length + 2];
        splits[0] = Double.NEGATIVE_INFINITY;
        System.arraycopy(edges, 0, splits, 1, edges.length);
        splits[splits.length - 1] = Double.POSITIVE_INFINITY;
        Bucketizer bucketizer = new Bucketizer().setInputCol(n.column()).setOutputCol("bucket").setSplits(splits)
            .setHandleInvalid("keep");  // NaN gets a bucket of its own (the last); null stays null
        for (Row r : bucketizer.transform(day.select(Sql.column(n.column()))).groupBy("bucket").count().collectAsList()) {
          int bucket = r.isNullAt(0) ? nullBin : (int) r.getDouble(0);
          counts[Math.min(bucket, nullBin)] += r.getLong(1);  // the NaN bucket is the null bin
        }
      } else {
        List<String> levels = ((BinnedCounts.Categorical) b).levels();
        for (Row r : day.groupBy(Sql.column(b.column())).count().collectAsList()) {
          int at = r.isNullAt(0) ? nullBin : levels.indexOf(String.valueOf(r.get(0)));
          counts[at < 0 ? nullBin - 1 : at] += r.getLong(1);
        }
      }
      out.put(b.column(), counts);
    }
    return out;
  }

  /** Fails loudly unless the three agree on every column. */
  static void verify(List<BinnedCounts.Bins> bins, Scanned scanned, Map<String, long[]> perColumn,
      BinnedCounts.Result monitored, long rows) {
    List<String> wrong = new ArrayList<>();
    if (scanned.rows() != rows || monitored.rows() != rows) {
      wrong.add("rows: generated " + rows + ", scan " + scanned.rows() + ", monitor " + monitored.rows());
    }
    for (BinnedCounts.Bins b : bins) {
      String name = b.column();
      long[] counts = monitored.column(name).counts();
      if (!Arrays.equals(counts, perColumn.get(name))) {
        wrong.add(name + ": monitor counts " + Arrays.toString(counts) + ", per-column " + Arrays.toString(perColumn.get(name)));
      }
      long nonNull = rows - counts[counts.length - 1];
      if (nonNull != scanned.nonNull().get(name)) {
        wrong.add(name + ": monitor has " + nonNull + " non-null values, scan " + scanned.nonNull().get(name));
      }
      Double sum = monitored.column(name).sum();
      double expected = scanned.sums().get(name);
      if (b instanceof BinnedCounts.Numeric
          && (sum == null || !(Math.abs(sum - expected) <= SUM_TOLERANCE * Math.max(1, Math.abs(expected))))) {
        wrong.add(name + ": monitor's sum " + sum + ", scan's " + expected);
      }
    }
    if (!wrong.isEmpty()) {
      throw new IllegalStateException("bench-monitor: the methods disagree:\n  " + String.join("\n  ", wrong));
    }
  }

  static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  @Command(name = "bench-monitor",
      description = "Benchmark: drift monitoring's binned counts vs a plain scan and vs a job per column.")
  public static final class Cli extends JobCommand<Config> {
    @Mixin BenchOptions bench;

    @Override
    protected Config options(GlmpipeConfig config) {
      if (bench.rounds < 1) {
        throw dev.glmpipe.GlmpipeException.usage("bench-monitor needs --rounds 1 or more, got " + bench.rounds);
      }
      return new Config(config, bench.rows, bench.rounds);
    }

    @Override
    protected Object run(PipelineContext context, Config config) {
      return new MonitorBenchmark().run(context, config);
    }
  }
}
