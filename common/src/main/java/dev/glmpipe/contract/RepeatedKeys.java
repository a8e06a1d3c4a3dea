package dev.glmpipe.contract;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * Finds the key hashes that occur more than once, and how often.
 *
 * <p>Nearly every key is unique, which makes a {@code groupBy().count()} slow: its partial
 * aggregation builds a hash map entry per row and saves nothing. Here the hashes are shuffled
 * once (8 bytes a row), and each partition sorts its hashes as a {@code long[]} and reports the
 * runs longer than one: in bench-preprocess about five times less CPU than the aggregation.
 */
final class RepeatedKeys {
  private RepeatedKeys() {}

  /**
   * @param hashes one column of 64-bit key hashes
   * @return (hash, occurrences) for every hash seen more than once
   */
  static Dataset<Tuple2<Long, Long>> find(Dataset<Row> hashes) {
    String name = hashes.columns()[0];
    return hashes.repartition(col(name)).as(Encoders.LONG())
        .mapPartitions((MapPartitionsFunction<Long, Tuple2<Long, Long>>) RepeatedKeys::runs,
            Encoders.tuple(Encoders.LONG(), Encoders.LONG()));
  }

  private static Iterator<Tuple2<Long, Long>> runs(Iterator<Long> hashes) {
    long[] sorted = new long[1024];
    int n = 0;
    while (hashes.hasNext()) {
      if (n == sorted.length) {
        sorted = Arrays.copyOf(sorted, sorted.length * 2);
      }
      sorted[n++] = hashes.next();
    }
    Arrays.sort(sorted, 0, n);
    List<Tuple2<Long, Long>> repeated = new ArrayList<>();
    for (int start = 0; start < n; ) {
      int end = start + 1;
      while (end < n && sorted[end] == sorted[start]) {
        end++;
      }
      if (end - start > 1) {
        repeated.add(new Tuple2<>(sorted[start], (long) (end - start)));
      }
      start = end;
    }
    return repeated.iterator();
  }
}
