package dev.glmpipe.io;

import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A table of dates as its readers see it, whatever stores it: a directory of {@code dt=}
 * partitions ({@link PartitionedTable}), dates published through the catalog
 * ({@link CatalogPublishedTable}) or an Iceberg table ({@link IcebergTable}).
 */
public interface DatedTable {
  /** True when the date holds a committed write (possibly of zero rows). */
  boolean isCommitted(LocalDate dt);

  /** Dates holding a committed write, oldest first. */
  List<LocalDate> committedDates();

  /** When the date was last committed (epoch milliseconds), or -1. */
  long committedAt(LocalDate dt);

  /** {@link #committedAt} of every committed date, oldest first (a table may read them at once). */
  default java.util.SortedMap<LocalDate, Long> committedAt() {
    java.util.SortedMap<LocalDate, Long> out = new java.util.TreeMap<>();
    for (LocalDate dt : committedDates()) {
      out.put(dt, committedAt(dt));
    }
    return out;
  }

  /** The rows of {@code dates} with the {@code dt} column; every date must be committed. */
  Dataset<Row> read(List<LocalDate> dates);

  /** Fails naming every date that is not committed. */
  void requireCommitted(List<LocalDate> dates);

  /**
   * What the date holds now, as a token that changes whenever the date is replaced ("" when
   * missing): a reader compares it before and after reading.
   */
  String snapshot(LocalDate dt);
}
