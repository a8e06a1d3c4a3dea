package dev.glmpipe.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * A Dataset's rows as Spark's internal rows, for the single-pass scans that count every row
 * (feature statistics, baseline bins): read in place, without converting each row to a
 * {@link Row} first, which costs those scans most of their time.
 *
 * <p>{@code queryExecution().toRdd()} is Spark-internal: it holds on Spark 3.5 and 4.0–4.2
 * (classic sessions; Spark Connect has no RDDs), and this is the one place that calls it. Rows
 * are reused by the iterator: read their fields, never keep them.
 */
public final class InternalRows {
  private InternalRows() {}

  public static JavaRDD<InternalRow> of(Dataset<Row> rows) {
    return rows.queryExecution().toRdd().toJavaRDD();
  }
}
