package dev.glmpipe.contract;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.AccumulatorV2;

/**
 * Gathers rows on the side while the valid rows are being written (failed rows, rows held back
 * for the uniqueness rule), so preprocess reads its input once. Keeps at most {@code limit}
 * rows (memory stays bounded on executors and driver) but counts every one; when more rows
 * arrived than were kept, the caller falls back to a second pass.
 *
 * <p>Updates come from the write job's result tasks, which Spark applies once per partition
 * (the first successful attempt; failed attempts are not counted), so counts are exact.
 */
public final class RowCollector extends AccumulatorV2<Row, RowCollector> {
  private final int limit;
  private final List<Row> rows = new ArrayList<>();
  private long count;

  public RowCollector(int limit) {
    this.limit = limit;
  }

  /**
   * Registered unnamed on purpose: Spark renders named accumulators' values into the UI for
   * every task, which for a list of rows would cost more than the rows themselves.
   */
  public static RowCollector register(SparkSession spark, int limit) {
    RowCollector c = new RowCollector(limit);
    spark.sparkContext().register(c);
    return c;
  }

  /** Rows added in all. */
  public long count() {
    return count;
  }

  /** True when every added row was kept. */
  public boolean complete() {
    return rows.size() == count;
  }

  public List<Row> rows() {
    return Collections.unmodifiableList(rows);
  }

  @Override
  public void add(Row record) {
    count++;
    if (rows.size() < limit) {
      rows.add(record);
    }
  }

  @Override
  public void merge(AccumulatorV2<Row, RowCollector> other) {
    RowCollector o = (RowCollector) other;
    count += o.count;
    for (Row r : o.rows) {
      if (rows.size() >= limit) {
        break;
      }
      rows.add(r);
    }
  }

  @Override
  public boolean isZero() {
    return count == 0;
  }

  @Override
  public RowCollector copy() {
    RowCollector c = new RowCollector(limit);
    c.merge(this);
    return c;
  }

  @Override
  public void reset() {
    count = 0;
    rows.clear();
  }

  @Override
  public RowCollector value() {
    return this;
  }

  /** Short on purpose: the default prints value(), which is this object, and so on forever. */
  @Override
  public String toString() {
    return "RowCollector(count=" + count + ", kept=" + rows.size() + ", limit=" + limit + ")";
  }
}
