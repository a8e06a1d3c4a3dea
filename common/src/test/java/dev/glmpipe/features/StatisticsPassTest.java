package dev.glmpipe.features;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.glmpipe.testing.SharedSpark;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The one-scan statistics agree with Spark's own aggregates and with LevelCounts' shuffle. */
class StatisticsPassTest {
  private final SparkSession spark = SharedSpark.get();

  /** 30,000 rows over 3 partitions: x with nulls, a 7-level g, a 300-level h; id < 20,000 trains. */
  private Dataset<Row> rows() {
    return spark.range(0, 30_000, 1, 3).select(col("id"),
        expr("CASE WHEN id % 10 = 0 THEN NULL ELSE sin(id) * 100 + id % 17 END").as("x"),
        expr("CAST(id % 7 AS STRING)").as("g"),
        expr("concat('h', CAST(id % 300 AS STRING))").as("h"));
  }

  @Test
  void momentsAndQuantilesAgreeWithSpark() {
    Dataset<Row> rows = rows();
    StatisticsPass.Results r = new StatisticsPass()
        .countAllRows("all").countTrainingRows("train")
        .numeric("x", true)
        .run(rows, col("id").lt(20_000));
    Row spark = rows.where("id < 20000").selectExpr("count(x)", "avg(x)", "var_samp(x)", "min(x)", "max(x)").first();
    NumericSummary.Stats x = r.numeric("x");
    assertThat(r.count("all")).isEqualTo(30_000);
    assertThat(r.count("train")).isEqualTo(20_000);
    assertThat(x.count()).isEqualTo(spark.getLong(0));
    assertThat(x.mean()).isCloseTo(spark.getDouble(1), within(1e-9));
    assertThat(x.variance()).isCloseTo(spark.getDouble(2), within(1e-6));
    assertThat(x.min()).isEqualTo(spark.getDouble(3));
    assertThat(x.max()).isEqualTo(spark.getDouble(4));
    // 18,000 values fit the sample: the quantiles are exact order statistics.
    double[] sorted = rows.where("id < 20000 AND x IS NOT NULL").select("x").collectAsList().stream()
        .mapToDouble(v -> v.getDouble(0)).sorted().toArray();
    for (double p : List.of(0.01, 0.5, 0.99)) {
      assertThat(x.quantile(p)).isEqualTo(sorted[(int) Math.ceil(p * sorted.length) - 1]);
    }
  }

  @Test
  void aSampledColumnKeepsAUniformSample() {
    double[] a = new double[NumericSummary.SAMPLE];
    double[] b = new double[NumericSummary.SAMPLE];
    Arrays.setAll(a, i -> i);                     // a stream of 100,000 values 0..99,999, sampled
    Arrays.setAll(b, i -> 1_000_000 + i);         // and a stream of 20,000 others, whole
    double[] merged = NumericSummary.mergeSamples(a, 100_000, b, 20_000, 7);
    assertThat(merged).hasSize(NumericSummary.SAMPLE);
    long fromB = Arrays.stream(merged).filter(v -> v >= 1_000_000).count();
    // Each stream contributes in proportion to its size: 20,000 / 120,000 of the sample.
    assertThat(fromB).isEqualTo(Math.round(NumericSummary.SAMPLE * 20_000 / 120_000.0));
  }

  @Test
  void levelCountsAgreeWithTheShuffleAndFallBackToItPastTheDistinctLimit() {
    Dataset<Row> rows = rows();
    Map<String, LevelCounts.Levels> shuffled = LevelCounts.of(rows.where("id < 20000"), List.of(
        new LevelCounts.Query("g", col("g"), 1, 100), new LevelCounts.Query("h", col("h"), 1, 100)));
    // A limit of 100 values per partition: h (300 values) overflows and is counted by the shuffle.
    StatisticsPass.Results r = new StatisticsPass(100).countLevels("g", 1, 100).countLevels("h", 1, 100)
        .run(rows, col("id").lt(20_000));
    for (String name : List.of("g", "h")) {
      LevelCounts.Levels scanned = r.levels(name, 1, 100);
      assertThat(scanned.distinct()).as(name).isEqualTo(shuffled.get(name).distinct());
      assertThat(scanned.nonNull()).as(name).isEqualTo(20_000);
      assertThat(scanned.top()).as(name).isEqualTo(shuffled.get(name).top());
    }
    assertThat(r.levels("g", 2858, 3).values()).containsExactly("0");  // 20,000 = 7 × 2,857 + 1
    assertThat(r.levels("g", 2857, 3).values()).containsExactly("0", "1", "2");
    assertThat(new StatisticsPass().countLevels("h", 1, 5).run(rows, lit(true)).levels("h", 1, 5).distinct()).isEqualTo(300);
  }
}
