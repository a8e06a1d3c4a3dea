package dev.glmpipe.monitor;

import dev.glmpipe.io.PartitionedTable;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

/**
 * One model's monitoring table: Parquet, partitioned by {@code dt} (the scored date a row
 * describes), with {@link MonitoringRow#SCHEMA}. A date is replaced whole like a scores
 * partition: written to a staging directory, then swapped in, so a reader (or a killed run)
 * sees the old date or the new one, never a mix. The table is small (tens of rows per date), so
 * it is read back to the driver whole.
 */
public final class MonitoringTable {
  private final SparkSession spark;
  private final PartitionedTable table;

  public MonitoringTable(SparkSession spark, Path root) {
    this.spark = spark;
    this.table = new PartitionedTable(spark, root);
  }

  public Path root() {
    return table.root();
  }

  public List<LocalDate> dates() {
    return table.committedDates();
  }

  /** When {@code dt} was last written, or -1 if it never was. */
  public long writtenAt(LocalDate dt) {
    return table.committedAt(dt);
  }

  /** The committed rows of one date (none if it was never written). */
  public List<MonitoringRow> rows(LocalDate dt) {
    table.recover(dt);
    if (!table.isCommitted(dt)) {
      return List.of();
    }
    return collect(spark.read().schema(MonitoringRow.SCHEMA).parquet(table.partition(dt).toString()), dt.toString());
  }

  /** Every committed date's rows, oldest date first. */
  public List<MonitoringRow> all() {
    List<LocalDate> dates = dates();
    if (dates.isEmpty()) {
      return List.of();
    }
    // One read of every partition (a job per date would cost a second per few dates).
    String[] paths = dates.stream().map(dt -> table.partition(dt).toString()).toArray(String[]::new);
    List<MonitoringRow> out = new ArrayList<>();
    for (Row r : spark.read().schema(MonitoringRow.SCHEMA.add(PartitionedTable.DT, DataTypes.StringType))
        .option("basePath", root().toString()).parquet(paths).collectAsList()) {
      out.add(MonitoringRow.of(r, r.getString(r.size() - 1)));
    }
    out.sort(java.util.Comparator.comparing(MonitoringRow::dt));
    return out;
  }

  /** Replaces date {@code dt} with {@code rows} (every row's {@code dt} must be that date). */
  public Path replace(LocalDate dt, List<MonitoringRow> rows) {
    for (MonitoringRow r : rows) {
      if (!r.dt().equals(dt.toString())) {
        throw new IllegalArgumentException("a row of " + r.dt() + " cannot go into dt=" + dt);
      }
    }
    table.recover(dt);
    Dataset<Row> frame = spark.createDataFrame(rows.stream().map(MonitoringRow::toRow).toList(), MonitoringRow.SCHEMA)
        .coalesce(1);
    Path staging = table.stagingPath(dt);
    try {
      table.writeStaged(frame, staging, Map.of());
    } catch (RuntimeException e) {
      table.discard(staging);
      throw e;
    }
    table.swapIn(staging, dt);
    return table.partition(dt);
  }

  private static List<MonitoringRow> collect(Dataset<Row> rows, String dt) {
    return rows.collectAsList().stream().map(r -> MonitoringRow.of(r, dt)).toList();
  }
}
