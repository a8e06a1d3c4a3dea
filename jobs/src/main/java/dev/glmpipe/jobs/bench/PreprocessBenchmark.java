package dev.glmpipe.jobs.bench;

import dev.glmpipe.JobStages;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.contract.Preprocess;
import dev.glmpipe.datagen.ChurnGenerator;
import dev.glmpipe.datagen.SyntheticTable;
import dev.glmpipe.io.DateRange;
import dev.glmpipe.io.TableLayout;
import dev.glmpipe.jobs.JobCommand;
import dev.glmpipe.runs.PipelineContext;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import dev.glmpipe.io.PartitionedTable;
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
 * Measures preprocess against the floor it cannot beat: a plain Parquet read → write of the same
 * columns, on the same input, in the same session. Each is run twice, alternating, and the
 * faster run of each counts, so JIT warm-up and page cache favour neither.
 */
public final class PreprocessBenchmark {
  private static final Logger LOG = LoggerFactory.getLogger(PreprocessBenchmark.class);
  private static final LocalDate DAY = LocalDate.of(2026, 1, 1);

  public record Config(GlmpipeConfig config, long rows, int rounds) {}

  /**
   * @param floorSeconds the floor of preprocess's work: the copy, plus a read of the key columns
   *     alone (what the uniqueness rule must look at) and a write of the rows preprocess
   *     quarantined (what it must write beside the valid rows), each the fastest of its rounds
   */
  public record Result(String job, long rows, double copySeconds, double preprocessSeconds,
      double preprocessThroughputVsCopy, long validRows, long quarantinedRows,
      double keyReadSeconds, double quarantineWriteSeconds, double floorSeconds, double preprocessVsFloor) {}

  public Result run(PipelineContext context, Config job) {
    SparkSession spark = context.spark();
    GlmpipeConfig c = job.config();
    TableLayout layout = context.layout();
    Path raw = new Path(layout.raw(), "dt=" + DAY);
    JobStages.describe(spark, "bench", "bench", "bench: generate " + job.rows() + " rows of typed Parquet input");
    input().generate(spark, job.rows()).write().mode(SaveMode.Overwrite).parquet(raw.toString());
    String[] columns = c.dataset().contract().columns().stream().map(col -> col.name()).toArray(String[]::new);

    double copy = Double.MAX_VALUE;
    double keys = Double.MAX_VALUE;
    double quarantineWrite = Double.MAX_VALUE;
    double preprocess = Double.MAX_VALUE;
    Column[] keyColumns = c.dataset().keyColumns().stream().map(Column::new).toArray(Column[]::new);
    Preprocess.Result last = null;
    for (int round = 0; round < job.rounds(); round++) {
      long t0 = System.nanoTime();
      JobStages.describe(spark, "bench", "bench", "bench: plain Parquet copy");
      spark.read().parquet(raw.toString()).select(Arrays.stream(columns).map(Column::new).toArray(Column[]::new))
          .write().mode(SaveMode.Overwrite).parquet(new Path(layout.root(), "bench-copy").toString());
      copy = Math.min(copy, BenchOptions.seconds(t0));
      long tk = System.nanoTime();
      JobStages.describe(spark, "bench", "bench", "bench: read of the key columns alone");
      spark.read().parquet(raw.toString()).select(keyColumns).write().format("noop").mode(SaveMode.Overwrite).save();
      keys = Math.min(keys, BenchOptions.seconds(tk));
      long t1 = System.nanoTime();
      last = Preprocess.of(context).dates(DateRange.day(DAY)).execute();
      preprocess = Math.min(preprocess, BenchOptions.seconds(t1));
      quarantineWrite = Math.min(quarantineWrite, copyQuarantine(spark, layout));
      LOG.info("round {}: copy {} s, key read {} s, quarantine write {} s, preprocess {} s", round + 1,
          BenchOptions.fmt(copy), BenchOptions.fmt(keys), BenchOptions.fmt(quarantineWrite), BenchOptions.fmt(preprocess));
    }
    double floor = copy + keys + quarantineWrite;
    return new Result("bench-preprocess", job.rows(), copy, preprocess, copy / preprocess,
        last.validRows(), last.quarantinedRows(), keys, quarantineWrite, floor, floor / preprocess);
  }

  /**
   * Seconds to write the quarantined rows of the run that just ended once more (read from its
   * quarantine partition, cached first so the timed write is the write alone).
   */
  private static double copyQuarantine(SparkSession spark, TableLayout layout) {
    JobStages.describe(spark, "bench", "bench", "bench: write of the quarantined rows");
    Dataset<Row> quarantined = spark.read().parquet(new PartitionedTable(spark, layout.quarantine()).partition(DAY).toString()).cache();
    quarantined.count();
    long t0 = System.nanoTime();
    quarantined.write().mode(SaveMode.Overwrite).parquet(new Path(layout.root(), "bench-quarantine-copy").toString());
    double seconds = BenchOptions.seconds(t0);
    quarantined.unpersist(true);
    return seconds;
  }

  /**
   * Typed rows shaped like the churn contract (ChurnGenerator's columns and levels, uniform
   * values): about 1% break a rule (0.5% negative tenure, 0.5% an unknown plan), 0.1% repeat
   * the key of the row before (a stale copy of a customer), 5% have no data usage; the label is
   * a fair coin. Generated by the executors, so any size works.
   */
  static SyntheticTable input() {
    return SyntheticTable.builder(1)
        .key("customer_id", "C########-######").repeatedKeys(0.001)
        .timestamps("last_login_at", DAY.atStartOfDay(ZoneOffset.UTC).toEpochSecond(), 30L * 24 * 3600)
        .integers("tenure_months", 0, 72).defect(0.005, -1)
        .doubles("monthly_charges", 20, 120, 2)
        .integers("support_calls", 0, 6)
        .doubles("data_usage_gb", 0, 50, 2).nulls(0.05)
        .categorical("plan", ChurnGenerator.PLANS).defect(0.005, "platinum")
        .categorical("region", ChurnGenerator.REGIONS)
        .bool("autopay", 0.5)
        .logisticLabel("churned", Map.of())
        .build();
  }

  @Command(name = "bench-preprocess",
      description = "Benchmark: preprocess vs a plain Parquet copy of the same generated input.")
  public static final class Cli extends JobCommand<Config> {
    @Mixin BenchOptions bench;

    @Override
    protected Config options(GlmpipeConfig config) {
      if (config.dataset().input().format() != dev.glmpipe.config.DatasetConfig.InputFormat.PARQUET) {
        throw dev.glmpipe.GlmpipeException.usage("bench-preprocess compares with a Parquet copy: "
            + "run it with --set dataset.input.format=parquet");
      }
      return new Config(config, bench.rows, bench.rounds);
    }

    @Override
    protected Object run(PipelineContext context, Config config) {
      return new PreprocessBenchmark().run(context, config);
    }
  }
}
