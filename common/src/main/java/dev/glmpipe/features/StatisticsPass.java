package dev.glmpipe.features;

import dev.glmpipe.spark.InternalRows;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Everything training needs to know about its rows before it can build the feature stages —
 * level counts, imputation values, scaling moments, the baseline profile, split and label
 * counts — gathered in ONE Spark job that reads each needed column once.
 *
 * <p>The job scans Spark's internal rows of one projection (the training flag, every numeric
 * expression as a double, every level expression as a string) and keeps, per partition, plain
 * Java accumulators: row counts, a {@link NumericSummary} for all numeric expressions, and a
 * hash map of value counts per level expression (as StringIndexer counts its labels). The
 * partitions' results are merged on the driver in partition order. That costs a few
 * nanoseconds per value where Spark's aggregate functions cost tens, and it needs no shuffle.
 *
 * <p>Two cases take a second job: a level expression with more than {@link #MAX_DISTINCT}
 * values in a partition (a hashed id column, say) is counted again by {@link LevelCounts} (a
 * shuffle, which scales to any number of values); and quantiles (a median imputation,
 * quantile buckets) come from Spark's percentile_approx.
 *
 * <p>Consumers register what they need, then {@link #run} runs it. The same expression
 * registered twice (a categorical's levels for the model and for the profile) is computed once,
 * keeping the widest of the two requests.
 */
public final class StatisticsPass {
  /** Distinct values per partition above which a level expression is counted by a shuffle instead. */
  static final int MAX_DISTINCT = 100_000;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TRAINING = "__statistics_training";

  private final Map<String, Boolean> counts = new LinkedHashMap<>();
  private final Map<String, Percentiles> percentiles = new LinkedHashMap<>();
  /** Numeric expressions summarized by {@link NumericSummary}, and whether each keeps a sample. */
  private final Map<String, Boolean> numerics = new LinkedHashMap<>();
  private final Map<String, LevelRequest> levels = new LinkedHashMap<>();
  /** Per-day counts for the monitoring baseline (see {@link DayHistograms}); off without a day expression. */
  private String daySql;
  private final Set<String> histograms = new LinkedHashSet<>();
  private final Set<String> levelsByDay = new LinkedHashSet<>();
  private final int maxDistinct;

  public StatisticsPass() {
    this(MAX_DISTINCT);
  }

  /** @param maxDistinct values per partition above which level counts take the shuffle (tests lower it) */
  StatisticsPass(int maxDistinct) {
    this.maxDistinct = maxDistinct;
  }

  /** Keep levels seen at least {@code minCount} times, at most {@code topK} of them. */
  private record LevelRequest(int minCount, int topK) {}

  private record Percentiles(String sql, List<Double> probabilities, int accuracy) {}

  /** Counts the training rows under {@code name}. */
  public StatisticsPass countTrainingRows(String name) {
    counts.put(name, true);
    return this;
  }

  /** Counts every row, held out or not, under {@code name}. */
  public StatisticsPass countAllRows(String name) {
    counts.put(name, false);
    return this;
  }

  /**
   * Count, mean, variance, min and max of a numeric Spark SQL expression on the training rows
   * (nulls and NaN skipped), with a sample for quantiles when {@code sample}.
   */
  public StatisticsPass numeric(String sql, boolean sample) {
    numerics.merge(sql, sample, Boolean::logicalOr);
    return this;
  }

  /** Approximate percentiles (relative error 1/accuracy) of a numeric expression on the training rows. */
  public StatisticsPass percentiles(String name, String sql, List<Double> probabilities, int accuracy) {
    percentiles.put(name, new Percentiles(sql, List.copyOf(probabilities), accuracy));
    return this;
  }

  /** Value counts of a Spark SQL expression on the training rows (nulls are not levels). */
  public StatisticsPass countLevels(String sql, int minCount, int topK) {
    levels.merge(sql, new LevelRequest(minCount, topK),
        (a, b) -> new LevelRequest(Math.min(a.minCount(), b.minCount()), Math.max(a.topK(), b.topK())));
    return this;
  }

  /**
   * Groups the per-day counts ({@link #histogram}, {@link #countLevelsByDay}) by the string
   * value of {@code sql}, e.g. {@code CAST(dt AS STRING)}.
   */
  public StatisticsPass byDay(String sql) {
    daySql = sql;
    return this;
  }

  /**
   * Rows per {@link BucketKeys bucket} of a numeric expression on the training rows, per day
   * (needs {@link #byDay}), with its nulls and sums; also its {@link #numeric} summary with a
   * sample.
   */
  public StatisticsPass histogram(String sql) {
    numeric(sql, true);
    histograms.add(sql);
    return this;
  }

  /**
   * Rows per value (and nulls) of a level expression on the training rows, per day (needs
   * {@link #byDay}); dropped when it has more than {@link #MAX_DISTINCT} values in a partition.
   */
  public StatisticsPass countLevelsByDay(String sql) {
    countLevels(sql, 1, 1);
    levelsByDay.add(sql);
    return this;
  }

  /** Reads {@code rows}; the training rows are those where {@code training} is true. */
  public Results run(Dataset<Row> rows, Column training) {
    List<String> numericSqls = new ArrayList<>(numerics.keySet());
    List<String> scanned = new ArrayList<>(levels.keySet());
    List<Column> projection = new ArrayList<>();
    projection.add(coalesce(training, lit(false)).as("t"));
    for (int i = 0; i < numericSqls.size(); i++) {
      projection.add(expr(numericSqls.get(i)).cast(DataTypes.DoubleType).as("n" + i));
    }
    for (int i = 0; i < scanned.size(); i++) {
      projection.add(expr(scanned.get(i)).cast(DataTypes.StringType).as("l" + i));
    }
    List<String> histogramSqls = new ArrayList<>(histograms);
    List<String> dayLevelSqls = new ArrayList<>(levelsByDay);
    DayHistograms days = null;
    if (daySql != null) {
      projection.add(expr(daySql).cast(DataTypes.StringType).as("d"));
      days = new DayHistograms(projection.size() - 1,
          histogramSqls.stream().mapToInt(s -> 1 + numericSqls.indexOf(s)).toArray(),
          dayLevelSqls.stream().mapToInt(s -> 1 + numericSqls.size() + scanned.indexOf(s)).toArray(), maxDistinct);
    } else if (!histograms.isEmpty() || !levelsByDay.isEmpty()) {
      throw new IllegalStateException("per-day counts need a day expression (byDay)");
    }
    DayHistograms dayTemplate = days;
    boolean[] sampled = new boolean[numericSqls.size()];
    for (int i = 0; i < sampled.length; i++) {
      sampled[i] = numerics.get(numericSqls.get(i));
    }
    int numericCount = numericSqls.size();
    int levelCount = scanned.size();
    int limit = maxDistinct;
    List<Scan> partials = InternalRows.of(rows.select(projection.toArray(Column[]::new)))
        .mapPartitions((FlatMapFunction<java.util.Iterator<InternalRow>, Scan>) it -> {
          Scan scan = new Scan(sampled, levelCount, limit);
          scan.days = dayTemplate == null ? null : dayTemplate.copy();
          while (it.hasNext()) {
            scan.add(it.next(), numericCount);
          }
          return List.of(scan.finishPartition()).iterator();
        })
        .collect();
    Scan total = new Scan(sampled, levelCount, limit);
    partials.forEach(total::merge);
    DayHistograms.Result byDay = days == null ? null
        : DayHistograms.merge(partials.stream().map(s -> s.days).toList(), histogramSqls, dayLevelSqls);

    Map<String, Object> values = new LinkedHashMap<>();
    counts.forEach((name, onlyTraining) -> values.put(name, onlyTraining ? total.training : total.all));
    if (!percentiles.isEmpty()) {
      Dataset<Row> flagged = rows.withColumn(TRAINING, coalesce(training, lit(false)));
      List<Column> aggs = new ArrayList<>();
      percentiles.forEach((name, p) ->
          aggs.add(percentilesAsJson(when(col(TRAINING), expr(p.sql())), p.probabilities(), p.accuracy()).as(name)));
      Row r = flagged.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new)).first();
      for (int i = 0; i < r.size(); i++) {
        values.put(r.schema().fields()[i].name(), r.isNullAt(i) ? null : r.get(i));
      }
    }

    Map<String, LevelCounts.Levels> bySql = new LinkedHashMap<>();
    List<String> shuffled = new ArrayList<>();
    for (String sql : levels.keySet()) {
      int at = scanned.indexOf(sql);
      if (at < 0 || total.overflow[at]) {
        shuffled.add(sql);
      } else {
        bySql.put(sql, total.levels(at, levels.get(sql).topK()));
      }
    }
    if (!shuffled.isEmpty()) {
      List<LevelCounts.Query> queries = new ArrayList<>();
      for (int i = 0; i < shuffled.size(); i++) {
        LevelRequest req = levels.get(shuffled.get(i));
        queries.add(new LevelCounts.Query("q" + i, expr(shuffled.get(i)), req.minCount(), req.topK()));
      }
      Map<String, LevelCounts.Levels> counted = LevelCounts.of(rows.where(coalesce(training, lit(false))), queries);
      for (int i = 0; i < shuffled.size(); i++) {
        bySql.put(shuffled.get(i), counted.get("q" + i));
      }
    }
    Map<String, NumericSummary.Stats> summaries = new LinkedHashMap<>();
    List<NumericSummary.Stats> stats = NumericSummary.finish(total.numeric);
    for (int i = 0; i < numericSqls.size(); i++) {
      summaries.put(numericSqls.get(i), stats.get(i));
    }
    return new Results(values, bySql, summaries, byDay);
  }

  /**
   * Spark's approximate percentiles of {@code value} as JSON text: text keeps the array out of
   * Scala collections, which differ between Scala 2.12 and 2.13.
   */
  static Column percentilesAsJson(Column value, List<Double> probabilities, int accuracy) {
    return to_json(percentile_approx(value, array(probabilities.stream().map(p -> lit(p)).toArray(Column[]::new)),
        lit(accuracy)));
  }

  /** The values of {@link #percentilesAsJson}. */
  static List<Double> parsePercentiles(String json) {
    try {
      double[] parsed = JSON.readValue(json, double[].class);
      List<Double> out = new ArrayList<>(parsed.length);
      for (double d : parsed) {
        out.add(d);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable percentiles " + json, e);
    }
  }

  /** One partition's (or, merged, all partitions') counts. */
  static final class Scan implements Serializable {
    private static final long serialVersionUID = 1L;
    long all;
    long training;
    NumericSummary.Buffer numeric;
    final boolean[] overflow;
    final int maxDistinct;
    /** Value counts while scanning, keyed by Spark's own strings to avoid a copy per row. */
    transient List<HashMap<UTF8String, long[]>> scanning;
    /** Value counts as plain strings, for shipping to the driver and merging there. */
    List<HashMap<String, Long>> counted;
    /** Per-day counts of the training rows, when asked for. */
    DayHistograms days;

    Scan(boolean[] sampled, int levels, int maxDistinct) {
      this.maxDistinct = maxDistinct;
      numeric = NumericSummary.zero(sampled);
      overflow = new boolean[levels];
      scanning = new ArrayList<>();
      counted = new ArrayList<>();
      for (int j = 0; j < levels; j++) {
        scanning.add(new HashMap<>());
        counted.add(new HashMap<>());
      }
    }

    void add(InternalRow row, int numerics) {
      all++;
      if (!row.getBoolean(0)) {
        return;
      }
      training++;
      if (days != null) {
        days.add(row);
      }
      for (int i = 0; i < numerics; i++) {
        if (!row.isNullAt(1 + i)) {
          double x = row.getDouble(1 + i);
          if (!Double.isNaN(x)) {
            NumericSummary.add(numeric, i, x);
          }
        }
      }
      for (int j = 0; j < overflow.length; j++) {
        int at = 1 + numerics + j;
        if (overflow[j] || row.isNullAt(at)) {
          continue;
        }
        UTF8String v = row.getUTF8String(at);
        HashMap<UTF8String, long[]> m = scanning.get(j);
        long[] c = m.get(v);
        if (c == null) {
          if (m.size() >= maxDistinct) {
            overflow[j] = true;
            m.clear();
            continue;
          }
          m.put(v.clone(), new long[] {1});
        } else {
          c[0]++;
        }
      }
    }

    Scan finishPartition() {
      for (int j = 0; j < overflow.length; j++) {
        HashMap<String, Long> out = counted.get(j);
        scanning.get(j).forEach((k, c) -> out.put(k.toString(), c[0]));
      }
      scanning = null;
      if (days != null) {
        days.finishPartition();
      }
      return this;
    }

    void merge(Scan other) {
      all += other.all;
      training += other.training;
      numeric = NumericSummary.merge(numeric, other.numeric);
      for (int j = 0; j < overflow.length; j++) {
        overflow[j] |= other.overflow[j];
        if (!overflow[j]) {
          HashMap<String, Long> into = counted.get(j);
          other.counted.get(j).forEach((k, c) -> into.merge(k, c, Long::sum));
        }
      }
    }

    /** The {@code topK} most frequent values, ties by value, with the distinct and non-null counts. */
    LevelCounts.Levels levels(int j, int topK) {
      HashMap<String, Long> m = counted.get(j);
      long nonNull = m.values().stream().mapToLong(Long::longValue).sum();
      List<LevelCounts.Level> top = m.entrySet().stream()
          .sorted(Comparator.comparingLong((Map.Entry<String, Long> e) -> -e.getValue()).thenComparing(Map.Entry::getKey))
          .limit(Math.max(1, topK))
          .map(e -> new LevelCounts.Level(e.getKey(), e.getValue()))
          .toList();
      return new LevelCounts.Levels(m.size(), nonNull, top);
    }
  }

  /** What one pass found. */
  public static final class Results {
    private final Map<String, Object> values;
    private final Map<String, LevelCounts.Levels> levels;
    private final Map<String, NumericSummary.Stats> numerics;
    private final DayHistograms.Result byDay;

    Results(Map<String, Object> values, Map<String, LevelCounts.Levels> levels, Map<String, NumericSummary.Stats> numerics,
        DayHistograms.Result byDay) {
      this.values = values;
      this.levels = levels;
      this.numerics = numerics;
      this.byDay = byDay;
    }

    /** The per-day counts of {@link #histogram} and {@link #countLevelsByDay}. */
    public DayHistograms.Result byDay() {
      if (byDay == null) {
        throw new IllegalStateException("no per-day counts were requested (byDay)");
      }
      return byDay;
    }

    public long count(String name) {
      Object v = require(name);
      return v == null ? 0L : ((Number) v).longValue();
    }

    /** The summary of a registered numeric expression. */
    public NumericSummary.Stats numeric(String sql) {
      NumericSummary.Stats s = numerics.get(sql);
      if (s == null) {
        throw new IllegalStateException("no numeric summary was requested for " + sql);
      }
      return s;
    }

    /** Registered percentiles; null when there were no values. */
    public List<Double> percentiles(String name) {
      Object v = require(name);
      if (v == null || "null".equals(v)) {
        return null;
      }
      return parsePercentiles((String) v);
    }

    /**
     * The levels of {@code sql} seen at least {@code minCount} times, at most {@code topK},
     * most frequent first (ties by value), with the expression's distinct and non-null counts.
     */
    public LevelCounts.Levels levels(String sql, int minCount, int topK) {
      LevelCounts.Levels all = levels.get(sql);
      if (all == null) {
        throw new IllegalStateException("no level counts were requested for " + sql);
      }
      List<LevelCounts.Level> kept = all.top().stream().filter(l -> l.count() >= minCount).limit(topK).toList();
      return new LevelCounts.Levels(all.distinct(), all.nonNull(), kept);
    }

    private Object require(String name) {
      if (!values.containsKey(name)) {
        throw new IllegalStateException("statistic " + name + " was not requested");
      }
      return values.get(name);
    }
  }
}
