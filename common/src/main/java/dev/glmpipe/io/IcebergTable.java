package dev.glmpipe.io;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.Sql;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.iceberg.DeleteFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.spark.sql.DataFrameWriterV2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.apache.spark.sql.types.StructType;

/**
 * An Apache Iceberg table (format version 2) partitioned by {@code dt}: each write replaces one
 * date in one atomic commit, whose snapshot summary carries {@code glmpipe.*} properties (run
 * id, model, version, date). Readers (Spark, Athena, Trino, DuckDB, PyIceberg) see a date's old
 * rows or its new rows, never a mix, never nothing in between; a writer killed midway commits
 * nothing and leaves only unreferenced files, which {@link IcebergMaintenance} removes.
 */
public final class IcebergTable implements DatedTable {
  /** Snapshot summary keys glmpipe sets on each commit. */
  public static final String RUN_ID = "glmpipe.run-id";
  public static final String DATE = "glmpipe.dt";

  private final SparkSession spark;
  private final String name;

  /** {@code name}: {@code catalog.namespace.table}, plain identifiers. */
  IcebergTable(SparkSession spark, String name) {
    this.spark = spark;
    this.name = name;
  }

  /** {@code catalog.namespace.table} as quoted SQL identifiers. */
  public String name() {
    return Arrays.stream(name.split("\\.")).map(Sql::quote).collect(Collectors.joining("."));
  }

  /** The name as an analyst writes it: {@code catalog.namespace.table}. */
  @Override
  public String toString() {
    return name;
  }

  public boolean exists() {
    return spark.catalog().tableExists(name);
  }

  /**
   * Creates the table for rows of {@code schema} (without {@code dt}) if it does not exist:
   * format version 2, partitioned by {@code dt} (a date), written without a shuffle (each write
   * holds one date, so nothing needs clustering).
   */
  public void createIfMissing(StructType schema) {
    if (exists()) {
      return;
    }
    String namespace = name().substring(0, name().lastIndexOf('.'));
    spark.sql("CREATE NAMESPACE IF NOT EXISTS " + namespace);
    spark.sql("CREATE TABLE IF NOT EXISTS " + name() + " (" + schema.toDDL() + ", " + Sql.quote(PartitionedTable.DT)
        + " DATE) USING iceberg PARTITIONED BY (" + Sql.quote(PartitionedTable.DT) + ") TBLPROPERTIES ("
        + "'format-version' = '2', 'write.distribution-mode' = 'none')");
  }

  /** One commit: the snapshot that replaced a date, and how many rows the date holds now. */
  public record Commit(long snapshotId, long rows) {}

  /**
   * Replaces the rows of {@code dt} with {@code rows} (which carry no {@code dt} column) in one
   * commit, with {@code summary} in its snapshot summary ({@code snapshot-property.*}), by
   * dynamic partition overwrite. A date with no rows left is emptied by one delete commit instead
   * (an overwrite with nothing to write replaces nothing).
   */
  public Commit replaceDate(Dataset<Row> rows, LocalDate dt, String runId, Map<String, String> summary) {
    Map<String, String> properties = new LinkedHashMap<>(summary);
    properties.put(RUN_ID, runId);
    properties.put(DATE, dt.toString());
    DataFrameWriterV2<Row> writer = rows.withColumn(PartitionedTable.DT, lit(Date.valueOf(dt))).writeTo(name())
        .option("distribution-mode", "none")
        .option("compression-codec", spark.conf().get("spark.sql.parquet.compression.codec", "snappy"));
    properties.forEach((k, v) -> writer.option("snapshot-property." + k, v));
    try {
      writer.overwritePartitions();
    } catch (NoSuchTableException e) {
      throw new IllegalStateException("the Iceberg table " + name + " disappeared during the write", e);
    }
    Table table = icebergTable();
    Optional<Snapshot> written = committedBy(table, runId, dt);
    long added = written.map(s -> Long.parseLong(s.summary().getOrDefault("added-records", "0"))).orElse(0L);
    if (written.isPresent() && added > 0) {
      return new Commit(written.get().snapshotId(), added);
    }
    DeleteFiles delete = table.newDelete().deleteFromRowFilter(Expressions.equal(PartitionedTable.DT, dt.toString()));
    properties.forEach(delete::set);
    delete.commit();
    return new Commit(table.currentSnapshot().snapshotId(), 0);
  }

  /** The newest snapshot committed by {@code runId} for {@code dt}. */
  private static Optional<Snapshot> committedBy(Table table, String runId, LocalDate dt) {
    List<Snapshot> all = new ArrayList<>();
    table.snapshots().forEach(all::add);
    return all.stream().filter(s -> runId.equals(s.summary().get(RUN_ID)) && dt.toString().equals(s.summary().get(DATE)))
        .max(Comparator.comparingLong(Snapshot::sequenceNumber));
  }

  /** The Iceberg API's view of the table (refreshed), for snapshots and maintenance. */
  public Table icebergTable() {
    try {
      Table table = Spark3Util.loadIcebergTable(spark, name());
      table.refresh();
      return table;
    } catch (ParseException | NoSuchTableException e) {
      throw new IllegalStateException("cannot load the Iceberg table " + name, e);
    }
  }

  /** The current snapshot id, or -1 for a table without one. */
  public long currentSnapshotId() {
    Snapshot s = icebergTable().currentSnapshot();
    return s == null ? -1 : s.snapshotId();
  }

  /** One date of the {@code partitions} metadata table: rows, last commit time and snapshot. */
  private record DatePartition(LocalDate dt, long rows, long updatedAtMillis, long snapshotId) {}

  private Map<LocalDate, DatePartition> partitions() {
    if (!exists()) {
      return Map.of();
    }
    Map<LocalDate, DatePartition> out = new java.util.TreeMap<>();
    for (Row r : spark.sql("SELECT partition." + Sql.quote(PartitionedTable.DT) + " AS dt, record_count,"
        + " last_updated_at, last_updated_snapshot_id FROM " + name() + ".partitions").collectAsList()) {
      if (r.isNullAt(0)) {
        continue;
      }
      LocalDate dt = r.getDate(0).toLocalDate();
      long at = r.isNullAt(2) ? -1 : r.getTimestamp(2).getTime();
      long snapshot = r.isNullAt(3) ? -1 : r.getLong(3);
      out.put(dt, new DatePartition(dt, r.getLong(1), at, snapshot));
    }
    return out;
  }

  @Override
  public boolean isCommitted(LocalDate dt) {
    return partitions().containsKey(dt);
  }

  @Override
  public List<LocalDate> committedDates() {
    return List.copyOf(partitions().keySet());
  }

  @Override
  public long committedAt(LocalDate dt) {
    DatePartition p = partitions().get(dt);
    return p == null ? -1 : p.updatedAtMillis();
  }

  /** Every date's last commit time from one read of the table's metadata. */
  @Override
  public java.util.SortedMap<LocalDate, Long> committedAt() {
    java.util.SortedMap<LocalDate, Long> out = new java.util.TreeMap<>();
    partitions().forEach((dt, p) -> out.put(dt, p.updatedAtMillis()));
    return out;
  }

  /** Rows of {@code dt} now, from the table's metadata (no data read). */
  public long rows(LocalDate dt) {
    DatePartition p = partitions().get(dt);
    return p == null ? 0 : p.rows();
  }

  @Override
  public String snapshot(LocalDate dt) {
    DatePartition p = partitions().get(dt);
    return p == null ? "" : Long.toString(p.snapshotId());
  }

  @Override
  public void requireCommitted(List<LocalDate> dates) {
    Map<LocalDate, DatePartition> present = partitions();
    List<String> missing = dates.stream().filter(dt -> !present.containsKey(dt)).map(LocalDate::toString).toList();
    if (!missing.isEmpty()) {
      throw GlmpipeException.dataContract("date" + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing)
          + " not found in the Iceberg table " + name);
    }
  }

  /** The rows of {@code dates} as of the current snapshot (one snapshot, however long the read). */
  @Override
  public Dataset<Row> read(List<LocalDate> dates) {
    requireCommitted(dates);
    return atSnapshot(currentSnapshotId()).where(col(PartitionedTable.DT).isin(dates.stream().map(Date::valueOf).toArray()));
  }

  /** The whole table as of a snapshot (time travel). */
  public Dataset<Row> atSnapshot(long snapshotId) {
    return spark.sql("SELECT * FROM " + name() + " VERSION AS OF " + snapshotId);
  }
}
