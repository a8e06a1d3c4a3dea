package dev.glmpipe.contract;

import static org.apache.spark.sql.functions.col;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;

/**
 * Finds the key hashes that occur more than once, and how often.
 *
 * <p>Nearly every key is unique, which makes a {@code groupBy().count()} slow: its partial
 * aggregation builds a hash map entry per row and saves nothing. Here the hashes are shuffled
 * once (8 bytes a row), and each partition sorts its hashes as a {@code long[]} and reports the
 * runs longer than one: in bench-preprocess about five times less CPU than the aggregation.
 *
 * <p>The runs are collected in one job, each partition's as two arrays. A {@code limit} before
 * the collect would bound them too, but Spark then runs the partitions in rounds (one, then
 * the rest), each a job of its own with cores left idle: half a second in bench-preprocess.
 */
final class RepeatedKeys {
  private RepeatedKeys() {}

  /**
   * The repeated hashes found, and whether they are all of them.
   *
   * @param complete false when a partition had more repeated hashes than it was allowed to send
   */
  record Found(long[] hashes, long[] occurrences, boolean complete) {
    /** Rows whose hash is repeated. */
    long rows() {
      return Arrays.stream(occurrences).sum();
    }

    boolean isEmpty() {
      return hashes.length == 0 && complete;
    }
  }

  /** One partition's runs longer than one. */
  private record Runs(long[] hashes, long[] occurrences, boolean truncated) implements Serializable {}

  /**
   * @param hashes one column of 64-bit key hashes
   * @param perPartition most repeated hashes each partition sends to the driver
   */
  static Found find(Dataset<Row> hashes, int perPartition) {
    String name = hashes.columns()[0];
    List<Runs> parts = hashes.repartition(col(name)).as(Encoders.LONG()).javaRDD()
        .mapPartitions(partition -> List.of(runs(partition, perPartition)).iterator())
        .collect();
    int n = parts.stream().mapToInt(r -> r.hashes().length).sum();
    long[] all = new long[n];
    long[] counts = new long[n];
    int at = 0;
    for (Runs r : parts) {
      System.arraycopy(r.hashes(), 0, all, at, r.hashes().length);
      System.arraycopy(r.occurrences(), 0, counts, at, r.occurrences().length);
      at += r.hashes().length;
    }
    return new Found(all, counts, parts.stream().noneMatch(Runs::truncated));
  }

  private static Runs runs(Iterator<Long> hashes, int limit) {
    long[] sorted = new long[1024];
    int n = 0;
    while (hashes.hasNext()) {
      if (n == sorted.length) {
        sorted = Arrays.copyOf(sorted, sorted.length * 2);
      }
      sorted[n++] = hashes.next();
    }
    Arrays.sort(sorted, 0, n);
    List<long[]> repeated = new ArrayList<>();
    boolean truncated = false;
    for (int start = 0; start < n; ) {
      int end = start + 1;
      while (end < n && sorted[end] == sorted[start]) {
        end++;
      }
      if (end - start > 1) {
        if (repeated.size() == limit) {
          truncated = true;
          break;
        }
        repeated.add(new long[] {sorted[start], end - start});
      }
      start = end;
    }
    return new Runs(repeated.stream().mapToLong(r -> r[0]).toArray(), repeated.stream().mapToLong(r -> r[1]).toArray(),
        truncated);
  }
}
