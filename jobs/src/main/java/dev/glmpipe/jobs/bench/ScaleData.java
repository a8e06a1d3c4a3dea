package dev.glmpipe.jobs.bench;

import dev.glmpipe.JobStages;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.jobs.DateOptions;
import dev.glmpipe.jobs.JobCommand;
import dev.glmpipe.runs.PipelineContext;
import java.time.LocalDate;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SaveMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bench-data}: the benchmark table of {@code bench-train} ({@link TrainBenchmark#table()}:
 * 20 numeric columns, categoricals of 10 and 50 values, a 0/1 label) written as one raw typed
 * Parquet partition, so {@code scripts/bench-scale.sh} can run the real jobs on it, each in a
 * JVM of its own.
 */
public final class ScaleData {
  public record Config(long rows, LocalDate dt) {}

  public record Result(String job, long rows, String dt, String path) {}

  @Command(name = "bench-data",
      description = "Benchmark input: one raw Parquet partition of the bench-train table, --rows rows, at --dt.")
  public static final class Cli extends JobCommand<Config> {
    @Mixin BenchOptions bench;

    @Option(names = "--dt", required = true, paramLabel = "YYYY-MM-DD", converter = DateOptions.DateConverter.class,
        description = "The raw partition to write.")
    LocalDate dt;

    @Override
    protected Config options(GlmpipeConfig config) {
      if (config.dataset().input().format() != dev.glmpipe.config.DatasetConfig.InputFormat.PARQUET) {
        throw dev.glmpipe.GlmpipeException.usage("bench-data writes Parquet: run it with --set dataset.input.format=parquet");
      }
      return new Config(bench.rows, dt);
    }

    @Override
    protected Object run(PipelineContext context, Config job) {
      Path partition = new Path(context.layout().raw(), "dt=" + job.dt());
      JobStages.describe(context.spark(), "bench", "bench", "bench: generate " + job.rows() + " rows");
      TrainBenchmark.table().generate(context.spark(), job.rows())
          .write().mode(SaveMode.Overwrite).parquet(partition.toString());
      return new Result("bench-data", job.rows(), job.dt().toString(), partition.toString());
    }
  }
}
