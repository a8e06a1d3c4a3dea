package dev.glmpipe.monitor;

import dev.glmpipe.Sql;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.config.TableFormat;
import dev.glmpipe.io.IcebergCatalog;
import dev.glmpipe.io.IcebergTable;
import dev.glmpipe.io.PartitionedTable;
import dev.glmpipe.runs.PipelineContext;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

/**
 * One model's monitoring table, partitioned by {@code dt} (the scored date a row describes),
 * with {@link MonitoringRow#SCHEMA}, stored as {@code monitor.table_format} says (by default as
 * the scores are). Parquet: a date is replaced whole like a scores partition, written to a
 * staging directory, then swapped in. Iceberg ({@code <catalog>.<namespace>.monitoring_<model>}):
 * a date is replaced by one {@code overwritePartitions} commit whose snapshot summary names the
 * run, the model and the versions the date's rows describe. Either way a reader (or a killed
 * run) sees the old date or the new one, never a mix. The table is small (tens of rows per
 * date), so it is read back to the driver whole.
 */
public final class MonitoringTable {
  private final SparkSession spark;
  private final PartitionedTable table;
  private final IcebergTable iceberg;
  private final String model;

  /** The Parquet table under {@code root}. */
  public MonitoringTable(SparkSession spark, Path root) {
    this.spark = spark;
    this.table = new PartitionedTable(spark, root);
    this.iceberg = null;
    this.model = null;
  }

  /** The Iceberg table {@code iceberg} of {@code model}'s monitoring (created on its first write). */
  public MonitoringTable(SparkSession spark, IcebergTable iceberg, String model) {
    this.spark = spark;
    this.table = null;
    this.iceberg = iceberg;
    this.model = model;
  }

  /** The monitoring table of the context's model, in the format the config names. */
  public static MonitoringTable of(PipelineContext context) {
    GlmpipeConfig c = context.config();
    String model = c.model().name();
    if (c.monitoringFormat() == TableFormat.ICEBERG) {
      IcebergCatalog catalog = IcebergCatalog.open(context.spark(), c.storage().iceberg(), context.layout());
      return new MonitoringTable(context.spark(), catalog.table(IcebergCatalog.monitoringName(model)), model);
    }
    return new MonitoringTable(context.spark(), context.layout().monitoring(model));
  }

  /** Where the table is: the Parquet directory, or the Iceberg table's {@code catalog.namespace.table}. */
  public String name() {
    return iceberg != null ? iceberg.toString() : table.root().toString();
  }

  public List<LocalDate> dates() {
    return iceberg != null ? iceberg.committedDates() : table.committedDates();
  }

  /** When each written date was last written (epoch milliseconds), from one read with Iceberg. */
  public java.util.SortedMap<LocalDate, Long> writtenAt() {
    return iceberg != null ? iceberg.committedAt() : table.committedAt();
  }

  /** The committed rows of one date (none if it was never written). */
  public List<MonitoringRow> rows(LocalDate dt) {
    if (iceberg != null) {
      Dataset<Row> current = icebergRows();
      if (current == null) {
        return List.of();
      }
      return collect(current.where(Sql.column(PartitionedTable.DT).equalTo(java.sql.Date.valueOf(dt))), dt.toString());
    }
    table.recover(dt);
    if (!table.isCommitted(dt)) {
      return List.of();
    }
    return collect(spark.read().schema(MonitoringRow.SCHEMA).parquet(table.partition(dt).toString()), dt.toString());
  }

  /** Every committed date's rows, oldest date first. */
  public List<MonitoringRow> all() {
    List<MonitoringRow> out = new ArrayList<>();
    if (iceberg != null) {
      Dataset<Row> current = icebergRows();
      if (current == null) {
        return out;
      }
      for (Row r : current.withColumn(PartitionedTable.DT, Sql.column(PartitionedTable.DT).cast(DataTypes.StringType))
          .collectAsList()) {
        out.add(MonitoringRow.of(r, r.getString(r.size() - 1)));
      }
      out.sort(java.util.Comparator.comparing(MonitoringRow::dt));
      return out;
    }
    List<LocalDate> dates = dates();
    if (dates.isEmpty()) {
      return out;
    }
    // One read of every partition (a job per date would cost a second per few dates).
    String[] paths = dates.stream().map(dt -> table.partition(dt).toString()).toArray(String[]::new);
    for (Row r : spark.read().schema(MonitoringRow.SCHEMA.add(PartitionedTable.DT, DataTypes.StringType))
        .option("basePath", table.root().toString()).parquet(paths).collectAsList()) {
      out.add(MonitoringRow.of(r, r.getString(r.size() - 1)));
    }
    out.sort(java.util.Comparator.comparing(MonitoringRow::dt));
    return out;
  }

  /**
   * The Iceberg table's rows as of its current snapshot (read once, whatever commits meanwhile),
   * {@link MonitoringRow#SCHEMA}'s columns then {@code dt}; null while it has none.
   */
  private Dataset<Row> icebergRows() {
    if (!iceberg.exists()) {
      return null;
    }
    long snapshot = iceberg.currentSnapshotId();
    if (snapshot < 0) {
      return null;
    }
    Column[] columns = java.util.stream.Stream.concat(Arrays.stream(MonitoringRow.SCHEMA.fieldNames()),
        java.util.stream.Stream.of(PartitionedTable.DT)).map(Sql::column).toArray(Column[]::new);
    return iceberg.atSnapshot(snapshot).select(columns);
  }

  /**
   * Replaces date {@code dt} with {@code rows} (every row's {@code dt} must be that date);
   * {@code runId} names the run that writes (on the Iceberg commit). Returns where the date is:
   * its Parquet partition, or the Iceberg table.
   */
  public String replace(LocalDate dt, List<MonitoringRow> rows, String runId) {
    for (MonitoringRow r : rows) {
      if (!r.dt().equals(dt.toString())) {
        throw new IllegalArgumentException("a row of " + r.dt() + " cannot go into dt=" + dt);
      }
    }
    Dataset<Row> frame = spark.createDataFrame(rows.stream().map(MonitoringRow::toRow).toList(), MonitoringRow.SCHEMA)
        .coalesce(1);
    if (iceberg != null) {
      iceberg.createIfMissing(MonitoringRow.SCHEMA);
      Map<String, String> summary = new LinkedHashMap<>();
      summary.put("glmpipe.job", "monitor");
      summary.put("glmpipe.model", model);
      String versions = rows.stream().map(MonitoringRow::modelVersion).distinct().sorted().collect(Collectors.joining(","));
      if (!versions.isEmpty()) {
        summary.put("glmpipe.model-version", versions);
      }
      iceberg.replaceDate(frame, dt, runId != null ? runId : "monitor-" + UUID.randomUUID(), summary);
      return iceberg.toString();
    }
    table.recover(dt);
    Path staging = table.stagingPath(dt);
    try {
      table.writeStaged(frame, staging, Map.of());
    } catch (RuntimeException e) {
      table.discard(staging);
      throw e;
    }
    table.swapIn(staging, dt);
    return table.partition(dt).toString();
  }

  /** {@link #replace(LocalDate, List, String)} outside a run. */
  public String replace(LocalDate dt, List<MonitoringRow> rows) {
    return replace(dt, rows, null);
  }

  private static List<MonitoringRow> collect(Dataset<Row> rows, String dt) {
    return rows.collectAsList().stream().map(r -> MonitoringRow.of(r, dt)).toList();
  }
}
