package dev.glmpipe.contract;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.AccumulatorV2;

/**
 * Gathers rows on the side while the valid rows are being written (failed rows, rows held back
 * for the uniqueness rule), so preprocess reads its input once. Keeps at most {@code limit}
 * rows (memory stays bounded on executors and driver) but counts every one; when more rows
 * arrived than were kept, the caller falls back to a second pass.
 *
 * <p>Collecting failed rows, it also counts them by reason code, so the pass needs no separate
 * aggregation (an observation would cut Spark's generated code in two and copy every row).
 *
 * <p>Updates come from the write job's result tasks, which Spark applies once per partition
 * (the first successful attempt; failed attempts are not counted), so counts are exact.
 */
public final class RowCollector extends AccumulatorV2<Row, RowCollector> {
  private final int limit;
  private final boolean countsReasons;
  private final List<Row> rows = new ArrayList<>();
  private final long[] byReason = new long[ReasonCode.values().length];
  private long count;

  /**
   * @param countsReasons whether added rows are quarantine records (reasons text last) whose
   *     codes are counted, every row, kept or not
   */
  public RowCollector(int limit, boolean countsReasons) {
    this.limit = limit;
    this.countsReasons = countsReasons;
  }

  /**
   * Registered unnamed on purpose: Spark renders named accumulators' values into the UI for
   * every task, which for a list of rows would cost more than the rows themselves.
   */
  public static RowCollector register(SparkSession spark, int limit, boolean countsReasons) {
    RowCollector c = new RowCollector(limit, countsReasons);
    spark.sparkContext().register(c);
    return c;
  }

  /** Rows added in all. */
  public long count() {
    return count;
  }

  /** Added rows per reason code (a row with two codes counts under both); codes with none left out. */
  public Map<String, Long> rowsByReason() {
    Map<String, Long> out = new LinkedHashMap<>();
    for (ReasonCode code : ReasonCode.values()) {
      if (byReason[code.ordinal()] > 0) {
        out.put(code.name(), byReason[code.ordinal()]);
      }
    }
    return out;
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
    if (countsReasons) {
      String reasons = record.getString(record.length() - 1);
      for (ReasonCode code : ReasonCode.values()) {
        // No code is a substring of another, so each counts once per row.
        if (reasons.contains(code.name())) {
          byReason[code.ordinal()]++;
        }
      }
    }
    if (rows.size() < limit) {
      rows.add(record);
    }
  }

  @Override
  public void merge(AccumulatorV2<Row, RowCollector> other) {
    RowCollector o = (RowCollector) other;
    count += o.count;
    for (int i = 0; i < byReason.length; i++) {
      byReason[i] += o.byReason[i];
    }
    for (Row r : o.rows) {
      if (rows.size() >= limit) {
        break;
      }
      rows.add(r);
    }
  }

  @Override
  public boolean isZero() {
    return count == 0;  // the reason counts are zero too then
  }

  @Override
  public RowCollector copy() {
    RowCollector c = new RowCollector(limit, countsReasons);
    c.merge(this);
    return c;
  }

  @Override
  public void reset() {
    count = 0;
    rows.clear();
    java.util.Arrays.fill(byReason, 0);
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
