package dev.glmpipe.jobs;

import static org.apache.spark.sql.functions.expr;

import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.io.DateRange;
import dev.glmpipe.io.TableLayout;
import dev.glmpipe.contract.Preprocess;
import dev.glmpipe.runs.JobStages;
import dev.glmpipe.runs.PipelineContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.Arrays;
import org.apache.hadoop.fs.Path;
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

  public record Result(String job, long rows, double copySeconds, double preprocessSeconds,
      double preprocessThroughputVsCopy, long validRows, long quarantinedRows) {}

  public Result run(PipelineContext context, Config job) {
    SparkSession spark = context.spark();
    GlmpipeConfig c = job.config();
    TableLayout layout = context.layout();
    Path raw = new Path(layout.raw(), "dt=" + DAY);
    JobStages.describe(spark, "bench", "bench: generate " + job.rows() + " rows of typed Parquet input");
    generate(spark, job.rows()).write().mode(SaveMode.Overwrite).parquet(raw.toString());
    String[] columns = c.dataset().contract().columns().stream().map(col -> col.name()).toArray(String[]::new);

    double copy = Double.MAX_VALUE;
    double preprocess = Double.MAX_VALUE;
    Preprocess.Result last = null;
    for (int round = 0; round < job.rounds(); round++) {
      long t0 = System.nanoTime();
      JobStages.describe(spark, "bench", "bench: plain Parquet copy");
      spark.read().parquet(raw.toString()).select(Arrays.stream(columns).map(Column::new).toArray(Column[]::new))
          .write().mode(SaveMode.Overwrite).parquet(new Path(layout.root(), "bench-copy").toString());
      copy = Math.min(copy, BenchOptions.seconds(t0));
      long t1 = System.nanoTime();
      last = Preprocess.of(context).dates(DateRange.day(DAY)).execute();
      preprocess = Math.min(preprocess, BenchOptions.seconds(t1));
      LOG.info("round {}: copy {} s, preprocess {} s", round + 1, BenchOptions.fmt(copy), BenchOptions.fmt(preprocess));
    }
    return new Result("bench-preprocess", job.rows(), copy, preprocess, copy / preprocess,
        last.validRows(), last.quarantinedRows());
  }

  /**
   * Typed rows shaped like the churn contract, spread by hashing the row id (no driver-side
   * generation, so any size works). About 1% break a rule: negative tenure, unknown plan; and
   * about 0.1% share their key with another row.
   */
  static Dataset<Row> generate(SparkSession spark, long rows) {
    // One row in a thousand repeats the previous row's key (a stale copy of a customer).
    return spark.range(rows).withColumn("key", expr("CASE WHEN pmod(xxhash64(id, 13), 1000) = 0 AND id > 0 THEN id - 1 ELSE id END")).select(
        expr("concat('C', lpad(CAST(key DIV 1000000 AS STRING), 8, '0'), '-', lpad(CAST(key % 1000000 AS STRING), 6, '0'))").as("customer_id"),
        expr("timestamp_seconds(1767225600 - pmod(xxhash64(id, 1), 2592000))").as("last_login_at"),
        expr("CASE WHEN pmod(xxhash64(id, 10), 200) = 0 THEN -1 ELSE CAST(pmod(xxhash64(id, 2), 72) AS INT) END").as("tenure_months"),
        expr("CAST(round(20 + pmod(xxhash64(id, 3), 10000) / 100.0, 2) AS DOUBLE)").as("monthly_charges"),
        expr("CAST(pmod(xxhash64(id, 4), 6) AS INT)").as("support_calls"),
        expr("CASE WHEN pmod(xxhash64(id, 5), 20) = 0 THEN NULL ELSE CAST(pmod(xxhash64(id, 6), 5000) / 100.0 AS DOUBLE) END").as("data_usage_gb"),
        expr("CASE WHEN pmod(xxhash64(id, 11), 200) = 0 THEN 'platinum' "
            + "ELSE element_at(array('basic', 'standard', 'premium'), CAST(pmod(xxhash64(id, 7), 3) AS INT) + 1) END").as("plan"),
        expr("element_at(array('north', 'south', 'east', 'west'), CAST(pmod(xxhash64(id, 8), 4) AS INT) + 1)").as("region"),
        expr("pmod(xxhash64(id, 9), 2) = 0").as("autopay"),
        expr("CAST(pmod(xxhash64(id, 12), 2) AS INT)").as("churned"));
  }

  @Command(name = "bench-preprocess",
      description = "Benchmark: preprocess vs a plain Parquet copy of the same generated input.")
  static final class Cli extends JobCommand<Config> {
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
