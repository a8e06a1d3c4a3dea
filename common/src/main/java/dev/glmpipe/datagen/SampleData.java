package dev.glmpipe.datagen;

import dev.glmpipe.RunFigures;
import dev.glmpipe.config.DatagenConfig;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The datagen operation: writes sample raw data, one CSV file per day under
 * {@code raw/dt=YYYY-MM-DD/}, from {@link ChurnGenerator} (seeded, known true coefficients, a
 * share of deliberately broken rows), drifted from the dates {@code datagen.drift} gives.
 * With {@code datagen.labels}, it also writes each day's labels where a delayed label feed
 * would put them: {@code labels/dt=<day + delay_days>/}, one CSV file with the day as {@code event_dt}.
 *
 * <pre>SampleData.of(context).dates(range).execute()</pre>
 */
public final class SampleData {
  private static final Logger LOG = LoggerFactory.getLogger(SampleData.class);
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

  /** One generated day; {@code labelsPath} is null and {@code labelRows} 0 without a label feed. */
  public record Day(String dt, String path, int rows, int brokenRows, Map<String, Integer> brokenByReason,
      String labelsPath, int labelRows) {}

  /** {@code labelsTable} is null without a label feed. */
  public record Result(String job, String rawTable, long rows, long brokenRows, Map<String, Integer> brokenByReason,
      String labelsTable, long labelRows, List<Day> days) implements RunFigures.Source {
    /** Rows written (broken ones included: they are in the files); nothing is read. */
    @Override
    public RunFigures runFigures() {
      return new RunFigures(null, rows, null, null, days.stream().map(Day::dt).toList(), null);
    }
  }

  /** Writes each date's file, replacing what the partition held before. */
  public Result execute() {
    SparkSession spark = context.spark();
    GlmpipeConfig c = context.config();
    ChurnGenerator.check(c.datagen());
    PartitionedTable raw = new PartitionedTable(spark, context.layout().raw());
    DatagenConfig.Labels feed = c.datagen().labels();
    PartitionedTable labels = feed == null ? null : new PartitionedTable(spark, context.layout().labels());
    List<Day> days = new ArrayList<>();
    Map<String, Integer> byReason = new LinkedHashMap<>();
    long rows = 0;
    long broken = 0;
    long labelRows = 0;
    for (LocalDate dt : dates.dates()) {
      ChurnGenerator.Drift drift = ChurnGenerator.Drift.on(dt, c.datagen().driftOrEmpty());
      if (drift != ChurnGenerator.Drift.NONE) {
        LOG.info("datagen {}: drifted (shift {}, mix {}, model {})", dt, drift.shift(), drift.mix().keySet(), drift.model());
      }
      ChurnGenerator.Day day = ChurnGenerator.generate(
          dt, c.datagen().rowsPerDay(), c.datagen().seed(), c.datagen().malformedFraction(), drift);
      Path file = new Path(raw.partition(dt), c.dataset().name() + "-" + dt + ".csv");
      writeReplacing(spark, raw.partition(dt), file, day.lines());
      String labelsPath = null;
      if (labels != null) {
        // The partition is the day the labels arrive; the file is named after the day they describe.
        Path arrives = labels.partition(dt.plusDays(feed.delayDays()));
        Path labelFile = new Path(arrives, c.dataset().name() + "-" + dt + ".csv");
        writeReplacing(spark, arrives, labelFile, day.labelLines());
        labelsPath = labelFile.toString();
        labelRows += day.labels().size();
      }
      days.add(new Day(dt.toString(), file.toString(), day.rows(), day.brokenRows(), day.brokenByReason(),
          labelsPath, labelsPath == null ? 0 : day.labels().size()));
      day.brokenByReason().forEach((k, v) -> byReason.merge(k, v, Integer::sum));
      rows += day.rows();
      broken += day.brokenRows();
    }
    return new Result("datagen", raw.root().toString(), rows, broken, byReason,
        labels == null ? null : labels.root().toString(), labelRows, days);
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
