package dev.glmpipe.features;

import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_json;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;

/**
 * Everything training needs to know about its rows before it can build the feature stages —
 * level counts, imputation values, scaling moments, bucket quantiles, the baseline profile,
 * split and label counts — gathered in ONE read of the rows.
 *
 * <p>Consumers register what they need, then {@link #run} executes a single Spark job: the
 * value counts of every registered expression (one explode + group-by, {@link LevelCounts}),
 * while two observations compute the registered aggregates as the rows stream past — one over
 * all rows (before the training filter), one over the training rows. The same expression
 * registered twice (a categorical's levels for the model and for the profile) is counted once,
 * keeping the widest of the two requests.
 */
public final class StatisticsPass {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, Column> allRowAggregates = new LinkedHashMap<>();
  private final Map<String, Column> trainingAggregates = new LinkedHashMap<>();
  private final Map<String, Column> arrayAggregates = new LinkedHashMap<>();
  private final Map<String, LevelRequest> levels = new LinkedHashMap<>();

  /** Keep levels seen at least {@code minCount} times, at most {@code topK} of them. */
  private record LevelRequest(int minCount, int topK) {}

  /** An aggregate over the training rows; a value already registered under {@code name} is kept. */
  public StatisticsPass aggregate(String name, Column aggregate) {
    trainingAggregates.putIfAbsent(name, aggregate);
    return this;
  }

  /** An aggregate returning an array of doubles (e.g. percentile_approx), over the training rows. */
  public StatisticsPass aggregateArray(String name, Column aggregate) {
    arrayAggregates.putIfAbsent(name, aggregate);
    return this;
  }

  /** An aggregate over every row, held out or not (split counts). */
  public StatisticsPass aggregateAllRows(String name, Column aggregate) {
    allRowAggregates.putIfAbsent(name, aggregate);
    return this;
  }

  /** Value counts of a Spark SQL expression on the training rows (nulls are not levels). */
  public StatisticsPass countLevels(String sql, int minCount, int topK) {
    levels.merge(sql, new LevelRequest(minCount, topK),
        (a, b) -> new LevelRequest(Math.min(a.minCount(), b.minCount()), Math.max(a.topK(), b.topK())));
    return this;
  }

  /**
   * One Spark job over {@code rows}: the training rows are those where {@code training} holds.
   * Spark does not push a filter below an observation, so the all-rows observation sees every
   * row even though the level counts read only the training ones.
   */
  public Results run(Dataset<Row> rows, Column training) {
    Observation all = new Observation("statistics-all-rows");
    Observation train = new Observation("statistics-training-rows");
    List<Column> allAggs = named(allRowAggregates);
    List<Column> trainAggs = named(trainingAggregates);
    // JSON text keeps arrays out of Scala collections, which differ between Scala 2.12 and 2.13.
    arrayAggregates.forEach((name, agg) -> trainAggs.add(to_json(agg).as(name)));
    Dataset<Row> observed = rows;
    if (!allAggs.isEmpty()) {
      observed = observed.observe(all, allAggs.get(0), allAggs.subList(1, allAggs.size()).toArray(Column[]::new));
    }
    observed = observed.where(training);
    if (!trainAggs.isEmpty()) {
      observed = observed.observe(train, trainAggs.get(0), trainAggs.subList(1, trainAggs.size()).toArray(Column[]::new));
    }
    List<LevelCounts.Query> queries = new ArrayList<>();
    List<String> sqls = new ArrayList<>(levels.keySet());
    for (int i = 0; i < sqls.size(); i++) {
      LevelRequest r = levels.get(sqls.get(i));
      queries.add(new LevelCounts.Query("q" + i, expr(sqls.get(i)), r.minCount(), r.topK()));
    }
    Map<String, LevelCounts.Levels> counted;
    if (queries.isEmpty()) {
      observed.write().format("noop").mode(SaveMode.Overwrite).save();
      counted = Map.of();
    } else {
      counted = LevelCounts.of(observed, queries);
    }
    Map<String, Object> values = new LinkedHashMap<>();
    values.putAll(metrics(all, allAggs));
    values.putAll(metrics(train, trainAggs));
    Map<String, LevelCounts.Levels> bySql = new LinkedHashMap<>();
    for (int i = 0; i < sqls.size(); i++) {
      bySql.put(sqls.get(i), counted.get("q" + i));
    }
    return new Results(values, bySql);
  }

  private static List<Column> named(Map<String, Column> aggregates) {
    List<Column> out = new ArrayList<>();
    aggregates.forEach((name, agg) -> out.add(agg.as(name)));
    return out;
  }

  private static Map<String, Object> metrics(Observation observation, List<Column> aggregates) {
    if (aggregates.isEmpty()) {
      return Map.of();
    }
    try {
      return observation.getAsJava();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for training statistics", e);
    }
  }

  /** What one pass found. */
  public static final class Results {
    private final Map<String, Object> values;
    private final Map<String, LevelCounts.Levels> levels;

    Results(Map<String, Object> values, Map<String, LevelCounts.Levels> levels) {
      this.values = values;
      this.levels = levels;
    }

    public long count(String name) {
      Object v = require(name);
      return v == null ? 0L : ((Number) v).longValue();
    }

    /** A double aggregate; null when Spark returned null (no values). */
    public Double number(String name) {
      Object v = require(name);
      if (v == null) {
        return null;
      }
      return v instanceof java.math.BigDecimal d ? d.doubleValue() : ((Number) v).doubleValue();
    }

    /** An array aggregate; null when Spark returned null (no values). */
    public List<Double> numbers(String name) {
      Object v = require(name);
      if (v == null) {
        return null;
      }
      try {
        double[] parsed = JSON.readValue((String) v, double[].class);
        List<Double> out = new ArrayList<>(parsed.length);
        for (double d : parsed) {
          out.add(d);
        }
        return out;
      } catch (IOException e) {
        throw new UncheckedIOException("unreadable statistic " + name + ": " + v, e);
      }
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

  /** Shorthand for consumers: a row counter. */
  public static Column rowCount() {
    return org.apache.spark.sql.functions.count(lit(1));
  }
}
