package dev.glmpipe.datagen;

import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.io.DateRange;
import dev.glmpipe.io.PartitionedTable;
import dev.glmpipe.runs.PipelineContext;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The datagen operation: writes sample raw data, one CSV file per day under
 * {@code raw/dt=YYYY-MM-DD/}, from {@link ChurnGenerator} (seeded, known true coefficients, a
 * share of deliberately broken rows).
 *
 * <pre>SampleData.of(context).dates(range).execute()</pre>
 */
public final class SampleData {
  private final PipelineContext context;
  private DateRange dates;

  private SampleData(PipelineContext context) {
    this.context = context;
  }

  public static SampleData of(PipelineContext context) {
    return new SampleData(context);
  }

  public SampleData dates(DateRange dates) {
    this.dates = dates;
    return this;
  }

  public record Day(String dt, String path, int rows, int brokenRows, Map<String, Integer> brokenByReason) {}

  public record Result(String job, String rawTable, long rows, long brokenRows, Map<String, Integer> brokenByReason, List<Day> days) {}

  /** Writes each date's file, replacing what the partition held before. */
  public Result execute() {
    SparkSession spark = context.spark();
    GlmpipeConfig c = context.config();
    PartitionedTable raw = new PartitionedTable(spark, context.layout().raw());
    List<Day> days = new ArrayList<>();
    Map<String, Integer> byReason = new LinkedHashMap<>();
    long rows = 0;
    long broken = 0;
    for (LocalDate dt : dates.dates()) {
      ChurnGenerator.Day day = ChurnGenerator.generate(dt, c.datagen().rowsPerDay(), c.datagen().seed(), c.datagen().malformedFraction());
      Path file = new Path(raw.partition(dt), c.dataset().name() + "-" + dt + ".csv");
      writeReplacing(spark, raw.partition(dt), file, day.lines());
      days.add(new Day(dt.toString(), file.toString(), day.rows(), day.brokenRows(), day.brokenByReason()));
      day.brokenByReason().forEach((k, v) -> byReason.merge(k, v, Integer::sum));
      rows += day.rows();
      broken += day.brokenRows();
    }
    return new Result("datagen", raw.root().toString(), rows, broken, byReason, days);
  }

  /** Replaces the partition directory's content with one file. */
  private static void writeReplacing(SparkSession spark, Path partition, Path file, List<String> lines) {
    try {
      FileSystem fs = partition.getFileSystem(spark.sparkContext().hadoopConfiguration());
      // No .crc side files on local disks: people open and edit sample CSVs by hand.
      fs.setWriteChecksum(false);
      fs.delete(partition, true);
      try (OutputStream out = fs.create(file, true)) {
        for (String line : lines) {
          out.write(line.getBytes(StandardCharsets.UTF_8));
          out.write('\n');
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
