package dev.glmpipe.features;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * Value frequencies of several string expressions in one Spark job: every row is exploded into
 * (expression, value) pairs, counted, ranked per expression, and only the top of each list is
 * collected. Nulls are not levels; they count in no list.
 */
public final class LevelCounts {
  /** What to count: a named expression, keeping levels seen at least {@code minCount} times, at most {@code topK}. */
  public record Query(String name, Column value, int minCount, int topK) {}

  /** One level and how many rows had it. */
  public record Level(String value, long count) {}

  /**
   * @param distinct how many different non-null values there were
   * @param nonNull how many rows had a non-null value
   * @param top the kept levels, most frequent first, ties by value
   */
  public record Levels(long distinct, long nonNull, List<Level> top) {
    public List<String> values() {
      return top.stream().map(Level::value).toList();
    }
  }

  private LevelCounts() {}

  public static Map<String, Levels> of(Dataset<Row> rows, List<Query> queries) {
    Map<String, Levels> out = new LinkedHashMap<>();
    if (queries.isEmpty()) {
      return out;
    }
    Column[] pairs = new Column[queries.size()];
    Column[] minCounts = new Column[queries.size()];
    Column[] topKs = new Column[queries.size()];
    for (int i = 0; i < queries.size(); i++) {
      pairs[i] = struct(lit(i).as("q"), queries.get(i).value().cast("string").as("v"));
      minCounts[i] = lit((long) queries.get(i).minCount());
      topKs[i] = lit(queries.get(i).topK());
    }
    WindowSpec perQuery = Window.partitionBy("q");
    Column position = col("q").plus(1);  // element_at counts from 1
    List<Row> kept = rows.select(explode(array(pairs)).as("p"))
        .select(col("p.q").as("q"), col("p.v").as("v"))
        .where(col("v").isNotNull())
        .groupBy("q", "v").agg(count(lit(1)).as("n"))
        .withColumn("distinct", count(lit(1)).over(perQuery))
        .withColumn("non_null", sum("n").over(perQuery))
        .withColumn("rank", row_number().over(perQuery.orderBy(col("n").desc(), col("v").asc())))
        // The most frequent value always comes back, so the totals are known even when no
        // level reaches minCount.
        .where(col("n").geq(element_at(array(minCounts), position)).and(col("rank").leq(element_at(array(topKs), position)))
            .or(col("rank").equalTo(1)))
        .select("q", "v", "n", "rank", "distinct", "non_null")
        .collectAsList();

    Map<Integer, List<Row>> byQuery = new HashMap<>();
    kept.forEach(r -> byQuery.computeIfAbsent(r.getInt(0), k -> new ArrayList<>()).add(r));
    for (int i = 0; i < queries.size(); i++) {
      List<Row> mine = byQuery.getOrDefault(i, new ArrayList<>());
      mine.sort((a, b) -> Integer.compare(a.getInt(3), b.getInt(3)));
      int minCount = queries.get(i).minCount();
      List<Level> top = mine.stream().filter(r -> r.getLong(2) >= minCount)
          .map(r -> new Level(r.getString(1), r.getLong(2))).toList();
      long distinct = mine.isEmpty() ? 0 : mine.get(0).getLong(4);
      long nonNull = mine.isEmpty() ? 0 : mine.get(0).getLong(5);
      out.put(queries.get(i).name(), new Levels(distinct, nonNull, top));
    }
    return out;
  }
}
