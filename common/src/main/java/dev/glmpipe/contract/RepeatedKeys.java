package dev.glmpipe.contract;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * Finds the key hashes that occur more than once, and how often.
 *
 * <p>Nearly every key is unique, which makes a {@code groupBy().count()} slow: its partial
 * aggregation builds a hash map entry per row and saves nothing. Here each input partition
 * splits its hashes into one {@code long[]} per bucket, so the shuffle moves a few arrays per
 * task instead of a record per row (8 bytes a row either way); each bucket then sorts its
 * hashes and reports the runs longer than one. One job of two stages: a shuffle of Spark SQL
 * rows made the map stage a job of its own and cost about twice the CPU in bench-preprocess.
 *
 * <p>The runs are collected from every bucket at once, each bucket's as two arrays. A {@code
 * limit} before the collect would bound them too, but Spark then runs the partitions in rounds
 * (one, then the rest), each a job of its own with cores left idle.
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
   * @param perPartition most repeated hashes each bucket sends to the driver
   */
  static Found find(Dataset<Row> hashes, int perPartition) {
    int buckets = Integer.parseInt(hashes.sparkSession().conf().get("spark.sql.shuffle.partitions"));
    List<Runs> parts = hashes.as(Encoders.LONG()).javaRDD()
        .mapPartitionsToPair(partition -> byBucket(partition, buckets))
        // Keys are the bucket numbers 0..buckets-1, which a HashPartitioner maps to themselves.
        .partitionBy(new HashPartitioner(buckets))
        .mapPartitions(arrays -> List.of(runs(arrays, perPartition)).iterator())
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

  /** One partition's hashes as one array per bucket (a hash's bucket: its value mod buckets). */
  private static Iterator<Tuple2<Integer, long[]>> byBucket(Iterator<Long> hashes, int buckets) {
    long[][] arrays = new long[buckets][16];
    int[] sizes = new int[buckets];
    while (hashes.hasNext()) {
      long h = hashes.next();
      int b = (int) Math.floorMod(h, (long) buckets);
      if (sizes[b] == arrays[b].length) {
        arrays[b] = Arrays.copyOf(arrays[b], arrays[b].length * 2);
      }
      arrays[b][sizes[b]++] = h;
    }
    List<Tuple2<Integer, long[]>> out = new ArrayList<>();
    for (int b = 0; b < buckets; b++) {
      if (sizes[b] > 0) {
        out.add(new Tuple2<>(b, Arrays.copyOf(arrays[b], sizes[b])));
      }
    }
    return out.iterator();
  }

  /** The runs longer than one among a bucket's hashes, sent by every input partition. */
  private static Runs runs(Iterator<Tuple2<Integer, long[]>> arrays, int limit) {
    List<long[]> parts = new ArrayList<>();
    arrays.forEachRemaining(a -> parts.add(a._2()));
    int n = parts.stream().mapToInt(a -> a.length).sum();
    long[] sorted = new long[n];
    int at = 0;
    for (long[] a : parts) {
      System.arraycopy(a, 0, sorted, at, a.length);
      at += a.length;
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
