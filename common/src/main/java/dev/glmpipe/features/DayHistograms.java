package dev.glmpipe.features;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Per-day counts {@link StatisticsPass} keeps for the monitoring baseline, on the training rows
 * only: for every registered numeric expression the rows per {@link BucketKeys bucket} (so bin
 * counts are exact for edges chosen after the pass), its nulls (NaN included) and the sum of
 * its values; for every registered level expression the rows per value and its nulls.
 *
 * <p>One instance per partition, merged on the driver by day. The day is a string expression
 * (the features table's {@code dt}); partitions mostly hold one day, so the last day seen is
 * kept and a row of the same day costs one byte comparison to place.
 *
 * <p>A level expression with more than {@code maxDistinct} distinct values in a partition is
 * dropped (as for {@link StatisticsPass}' own level counts, such an expression is a hashed id
 * rather than a level): {@link Result#levels} then returns null.
 */
public final class DayHistograms implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Positions in the scanned row: the day, each histogram's double, each level expression's string. */
  private final int dayColumn;
  private final int[] numericColumns;
  private final int[] levelColumns;
  private final int maxDistinct;

  private final List<String> days = new ArrayList<>();
  private final List<Day> perDay = new ArrayList<>();
  final boolean[] overflow;
  /** Level values while scanning: counts per day index, keyed by Spark's own strings. */
  private transient List<HashMap<UTF8String, long[]>> scanning;
  /** The same counts as plain strings, for shipping to the driver. */
  private List<HashMap<String, long[]>> levelCounts;

  private transient HashMap<String, Integer> dayIndex;
  private transient UTF8String lastDay;
  private transient Day current;
  private transient int currentIndex;

  /** One day's numeric counts. */
  static final class Day implements Serializable {
    private static final long serialVersionUID = 1L;
    long rows;
    final BucketCounts[] buckets;
    final long[] nulls;
    final double[] sums;

    Day(int numerics) {
      buckets = new BucketCounts[numerics];
      for (int i = 0; i < numerics; i++) {
        buckets[i] = new BucketCounts();
      }
      nulls = new long[numerics];
      sums = new double[numerics];
    }

    void merge(Day other) {
      rows += other.rows;
      for (int i = 0; i < buckets.length; i++) {
        buckets[i].addAll(other.buckets[i]);
        nulls[i] += other.nulls[i];
        sums[i] += other.sums[i];
      }
    }
  }

  DayHistograms(int dayColumn, int[] numericColumns, int[] levelColumns, int maxDistinct) {
    this.dayColumn = dayColumn;
    this.numericColumns = numericColumns;
    this.levelColumns = levelColumns;
    this.maxDistinct = maxDistinct;
    overflow = new boolean[levelColumns.length];
    scanning = new ArrayList<>();
    levelCounts = new ArrayList<>();
    for (int j = 0; j < levelColumns.length; j++) {
      scanning.add(new HashMap<>());
      levelCounts.add(new HashMap<>());
    }
  }

  /** An empty instance counting the same columns (one per partition). */
  DayHistograms copy() {
    return new DayHistograms(dayColumn, numericColumns, levelColumns, maxDistinct);
  }

  /** Adds one training row. */
  void add(InternalRow row) {
    Day day = day(row);
    int d = currentIndex;
    day.rows++;
    for (int i = 0; i < numericColumns.length; i++) {
      int at = numericColumns[i];
      double x;
      if (row.isNullAt(at) || Double.isNaN(x = row.getDouble(at))) {
        day.nulls[i]++;
      } else {
        day.buckets[i].add(BucketKeys.key(x), 1);
        day.sums[i] += x;
      }
    }
    for (int j = 0; j < levelColumns.length; j++) {
      if (overflow[j]) {
        continue;
      }
      int at = levelColumns[j];
      // Nulls are counted under a null key: a string map cannot hold one, so they get slot -1 below.
      UTF8String v = row.isNullAt(at) ? null : row.getUTF8String(at);
      HashMap<UTF8String, long[]> m = scanning.get(j);
      long[] c = m.get(v);
      if (c == null) {
        if (m.size() >= maxDistinct) {
          // Too many values to be a level feature: dropped from the baseline (see the class comment).
          overflow[j] = true;
          m.clear();
          continue;
        }
        c = new long[Math.max(4, d + 1)];
        m.put(v == null ? null : v.clone(), c);
      } else if (c.length <= d) {
        c = Arrays.copyOf(c, Math.max(d + 1, 2 * c.length));
        m.put(v, c);
      }
      c[d]++;
    }
  }

  private Day day(InternalRow row) {
    UTF8String dt = row.isNullAt(dayColumn) ? NULL_DAY : row.getUTF8String(dayColumn);
    if (current != null && dt.equals(lastDay)) {
      return current;
    }
    if (dayIndex == null) {
      dayIndex = new HashMap<>();
      for (int i = 0; i < days.size(); i++) {
        dayIndex.put(days.get(i), i);
      }
    }
    String name = dt.toString();
    Integer at = dayIndex.get(name);
    if (at == null) {
      at = days.size();
      days.add(name);
      perDay.add(new Day(numericColumns.length));
      dayIndex.put(name, at);
    }
    lastDay = dt.clone();
    currentIndex = at;
    current = perDay.get(at);
    return current;
  }

  private static final UTF8String NULL_DAY = UTF8String.fromString("null");

  /** Ends a partition: level counts keyed by plain strings (null stays null), ready to ship. */
  DayHistograms finishPartition() {
    for (int j = 0; j < levelColumns.length; j++) {
      HashMap<String, long[]> out = levelCounts.get(j);
      if (!overflow[j]) {
        scanning.get(j).forEach((k, c) -> out.put(k == null ? null : k.toString(), c));
      }
    }
    scanning = null;
    return this;
  }

  /** Everything counted, by day, once every partition is in. */
  static Result merge(List<DayHistograms> partitions, List<String> numericSqls, List<String> levelSqls) {
    int levels = levelSqls.size();
    TreeMap<String, Day> days = new TreeMap<>();
    boolean[] dropped = new boolean[levels];
    List<Map<String, Map<String, Long>>> levelsByDay = new ArrayList<>();  // [expr] day -> value -> count
    for (int j = 0; j < levels; j++) {
      levelsByDay.add(new TreeMap<>());
    }
    for (DayHistograms p : partitions) {
      for (int d = 0; d < p.days.size(); d++) {
        String dt = p.days.get(d);
        Day into = days.computeIfAbsent(dt, k -> new Day(numericSqls.size()));
        into.merge(p.perDay.get(d));
      }
      for (int j = 0; j < levels; j++) {
        dropped[j] |= p.overflow[j];
        if (dropped[j]) {
          continue;
        }
        Map<String, Map<String, Long>> byDay = levelsByDay.get(j);
        for (Map.Entry<String, long[]> e : p.levelCounts.get(j).entrySet()) {
          long[] c = e.getValue();
          for (int d = 0; d < Math.min(c.length, p.days.size()); d++) {
            if (c[d] > 0) {
              byDay.computeIfAbsent(p.days.get(d), k -> new HashMap<>()).merge(e.getKey(), c[d], Long::sum);
            }
          }
        }
      }
    }
    Map<String, Long> rows = new LinkedHashMap<>();
    Map<String, Map<String, Histogram>> histograms = new LinkedHashMap<>();
    for (Map.Entry<String, Day> e : days.entrySet()) {
      Day day = e.getValue();
      rows.put(e.getKey(), day.rows);
      Map<String, Histogram> mine = new LinkedHashMap<>();
      for (int i = 0; i < numericSqls.size(); i++) {
        long[][] sorted = day.buckets[i].sorted();
        mine.put(numericSqls.get(i), new Histogram(sorted[0], sorted[1], day.nulls[i], day.sums[i]));
      }
      histograms.put(e.getKey(), mine);
    }
    Map<String, Map<String, Tally>> tallies = new LinkedHashMap<>();
    for (int j = 0; j < levels; j++) {
      if (dropped[j]) {
        continue;
      }
      Map<String, Tally> byDay = new LinkedHashMap<>();
      for (String dt : days.keySet()) {
        Map<String, Long> counts = new HashMap<>(levelsByDay.get(j).getOrDefault(dt, Map.of()));
        Long nulls = counts.remove(null);
        byDay.put(dt, new Tally(counts, nulls == null ? 0 : nulls));
      }
      tallies.put(levelSqls.get(j), byDay);
    }
    return new Result(rows, histograms, tallies);
  }

  /**
   * One numeric expression's counts per bucket (ascending keys), its nulls and the sum of its
   * values.
   */
  public static final class Histogram {
    private final long[] keys;
    private final long[] counts;
    private final long nulls;
    private final double sum;

    Histogram(long[] keys, long[] counts, long nulls, double sum) {
      this.keys = keys;
      this.counts = counts;
      this.nulls = nulls;
      this.sum = sum;
    }

    public long nulls() {
      return nulls;
    }

    /** Rows with a (non-NaN) value. */
    public long count() {
      return Arrays.stream(counts).sum();
    }

    public double sum() {
      return sum;
    }

    /**
     * Rows per bin for {@code edges} that are all bucket lower bounds (see {@link BucketKeys}):
     * {@code edges.length + 1} bins (a value equal to an edge goes right) then the null bin.
     * Exact, since every bucket lies whole inside one bin.
     */
    public long[] bins(double[] edges) {
      long[] edgeKeys = new long[edges.length];
      for (int e = 0; e < edges.length; e++) {
        edgeKeys[e] = BucketKeys.key(edges[e]);
        if (BucketKeys.lowerBound(edgeKeys[e]) != edges[e] + 0.0) {
          throw new IllegalArgumentException("edge " + edges[e] + " is not a bucket's lower bound");
        }
      }
      long[] out = new long[edges.length + 2];
      for (int i = 0; i < keys.length; i++) {
        int at = Arrays.binarySearch(edgeKeys, keys[i]);
        out[at >= 0 ? at + 1 : -at - 1] += counts[i];
      }
      out[edges.length + 1] = nulls;
      return out;
    }

    Histogram plus(Histogram other) {
      BucketCounts all = new BucketCounts();
      for (int i = 0; i < keys.length; i++) {
        all.add(keys[i], counts[i]);
      }
      for (int i = 0; i < other.keys.length; i++) {
        all.add(other.keys[i], other.counts[i]);
      }
      long[][] sorted = all.sorted();
      return new Histogram(sorted[0], sorted[1], nulls + other.nulls, sum + other.sum);
    }
  }

  /** One level expression's rows per non-null value, and its nulls. */
  public record Tally(Map<String, Long> counts, long nulls) {
    public Tally {
      counts = Collections.unmodifiableMap(new HashMap<>(counts));
    }

    /** Rows per level in the given order, then every other non-null value, then nulls. */
    public long[] bins(List<String> levels) {
      long[] out = new long[levels.size() + 2];
      long known = 0;
      for (int l = 0; l < levels.size(); l++) {
        out[l] = counts.getOrDefault(levels.get(l), 0L);
        known += out[l];
      }
      out[levels.size()] = counts.values().stream().mapToLong(Long::longValue).sum() - known;
      out[levels.size() + 1] = nulls;
      return out;
    }

    Tally plus(Tally other) {
      Map<String, Long> all = new HashMap<>(counts);
      other.counts.forEach((k, v) -> all.merge(k, v, Long::sum));
      return new Tally(all, nulls + other.nulls);
    }
  }

  /** The training rows' counts per day (days in ascending order, only days with training rows). */
  public static final class Result {
    private final Map<String, Long> rows;
    private final Map<String, Map<String, Histogram>> histograms;
    private final Map<String, Map<String, Tally>> tallies;

    Result(Map<String, Long> rows, Map<String, Map<String, Histogram>> histograms,
        Map<String, Map<String, Tally>> tallies) {
      this.rows = rows;
      this.histograms = histograms;
      this.tallies = tallies;
    }

    public List<String> days() {
      return List.copyOf(rows.keySet());
    }

    public long rows(String day) {
      return rows.getOrDefault(day, 0L);
    }

    /** A registered numeric expression on one day. */
    public Histogram histogram(String sql, String day) {
      Map<String, Histogram> mine = histograms.get(day);
      Histogram h = mine == null ? null : mine.get(sql);
      if (h == null) {
        if (mine != null) {
          throw new IllegalStateException("no histogram was requested for " + sql);
        }
        return new Histogram(new long[0], new long[0], 0, 0.0);
      }
      return h;
    }

    /** A registered numeric expression over all days. */
    public Histogram histogram(String sql) {
      Histogram all = new Histogram(new long[0], new long[0], 0, 0.0);
      for (String day : rows.keySet()) {
        all = all.plus(histogram(sql, day));
      }
      return all;
    }

    /** A registered level expression on one day; null when it had too many values to count. */
    public Tally levels(String sql, String day) {
      Map<String, Tally> byDay = tallies.get(sql);
      return byDay == null ? null : byDay.getOrDefault(day, new Tally(Map.of(), 0));
    }

    /** A registered level expression over all days; null when it had too many values to count. */
    public Tally levels(String sql) {
      Map<String, Tally> byDay = tallies.get(sql);
      if (byDay == null) {
        return null;
      }
      Tally all = new Tally(Map.of(), 0);
      for (Tally t : byDay.values()) {
        all = all.plus(t);
      }
      return all;
    }
  }
}
