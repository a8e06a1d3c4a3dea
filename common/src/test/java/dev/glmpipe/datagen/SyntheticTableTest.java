package dev.glmpipe.datagen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.glmpipe.testing.SharedSpark;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;

class SyntheticTableTest {
  private static final long END = 1_767_225_600L;  // 2026-01-01T00:00:00Z
  private static final Map<String, Double> TRUTH = truth();

  private final SparkSession spark = SharedSpark.get();

  private static SyntheticTable table(long seed) {
    return SyntheticTable.builder(seed)
        .key("id", "C########-######").repeatedKeys(0.01)
        .timestamps("seen_at", END, 86_400)
        .integers("n", 0, 72).defect(0.02, -1)
        .doubles("x1", -2, 2, 4)
        .doubles("x2", -2, 2, 4).nulls(0.05)
        .categorical("c", List.of("a", "b", "c")).defect(0.01, "z")
        .bool("flag", 0.3)
        .logisticLabel("y", TRUTH)
        .build();
  }

  @Test
  void sameSeedGivesTheSameRowsAnotherSeedOthers() {
    List<Row> rows = table(7).generate(spark, 2000).collectAsList();
    assertThat(table(7).generate(spark, 2000).repartition(3).orderBy("id", "seen_at").collectAsList())
        .containsExactlyInAnyOrderElementsOf(rows);
    assertThat(table(7).generate(spark, 2000).collectAsList()).isEqualTo(rows);
    assertThat(table(8).generate(spark, 2000).collectAsList()).isNotEqualTo(rows);
    // The first rows of a longer table are the shorter table.
    assertThat(table(7).generate(spark, 3000).limit(2000).collectAsList()).isEqualTo(rows);
  }

  @Test
  void columnsHaveTheDeclaredTypesRangesAndShares() {
    int n = 20_000;
    Dataset<Row> t = table(3).generate(spark, n);
    assertThat(t.schema().fields()).extracting(StructField::name)
        .containsExactly("id", "seen_at", "n", "x1", "x2", "c", "flag", "y");
    assertThat(t.schema().fields()).extracting(StructField::dataType).containsExactly(
        (DataType) DataTypes.StringType, DataTypes.TimestampType, DataTypes.IntegerType, DataTypes.DoubleType,
        DataTypes.DoubleType, DataTypes.StringType, DataTypes.BooleanType, DataTypes.IntegerType);

    Row r = t.selectExpr(
        "count(DISTINCT id) / count(*)",
        "avg(CAST(id RLIKE '^C[0-9]{8}-[0-9]{6}$' AS INT))",
        "min(unix_seconds(seen_at)) > " + (END - 86_400) + " AND max(unix_seconds(seen_at)) <= " + END,
        "avg(CAST(n = -1 AS INT))",
        "min(CASE WHEN n <> -1 THEN n END) = 0 AND max(n) = 71",
        "min(x1) >= -2 AND max(x1) < 2 AND abs(avg(x1)) < 0.05",
        "avg(CAST(x2 IS NULL AS INT))",
        "avg(CAST(c = 'z' AS INT))",
        "avg(CAST(c = 'b' AS INT))",
        "avg(CAST(flag AS INT))",
        "count(y) = count(*) AND min(y) = 0 AND max(y) = 1").first();
    assertThat(r.getDouble(0)).isCloseTo(0.99, within(0.003));
    assertThat(r.getDouble(1)).isEqualTo(1.0);
    assertThat(r.getBoolean(2)).isTrue();
    assertThat(r.getDouble(3)).isCloseTo(0.02, within(0.004));
    assertThat(r.getBoolean(4)).isTrue();
    assertThat(r.getBoolean(5)).isTrue();
    assertThat(r.getDouble(6)).isCloseTo(0.05, within(0.006));
    assertThat(r.getDouble(7)).isCloseTo(0.01, within(0.003));
    assertThat(r.getDouble(8)).isCloseTo(0.99 / 3, within(0.015));
    assertThat(r.getDouble(9)).isCloseTo(0.3, within(0.015));
    assertThat(r.getBoolean(10)).isTrue();

    // The key's digits are the row number's; a repeated key is the row before's.
    assertThat(SyntheticTable.builder(1).key("k", "C########-######").build().generate(spark, 1_000_043)
        .where("k = 'C00000001-000042'").count()).isEqualTo(1);
    assertThat(SyntheticTable.builder(1).key("k", "K").build().generate(spark, 3).collectAsList())
        .extracting(row -> row.getString(0)).containsExactly("K0", "K1", "K2");
  }

  @Test
  void logisticRegressionRecoversTheTrueCoefficients() {
    Dataset<Row> t = SyntheticTable.builder(11)
        .doubles("x1", -2, 2, 4)
        .doubles("x2", -2, 2, 4)
        .categorical("c", List.of("a", "b", "c"))
        .bool("flag", 0.3)
        .logisticLabel("y", TRUTH)
        .build().generate(spark, 60_000)
        .selectExpr("x1", "x2", "CAST(c = 'b' AS DOUBLE) AS cb", "CAST(c = 'c' AS DOUBLE) AS cc",
            "CAST(flag AS DOUBLE) AS f", "CAST(y AS DOUBLE) AS label");
    Dataset<Row> features = new VectorAssembler().setInputCols(new String[] {"x1", "x2", "cb", "cc", "f"})
        .setOutputCol("features").transform(t);
    LogisticRegressionModel m = new LogisticRegression().setRegParam(0).setMaxIter(100).setTol(1e-9).fit(features);

    double[] w = m.coefficients().toArray();
    assertThat(m.intercept()).isCloseTo(TRUTH.get("intercept"), within(0.1));
    assertThat(w[0]).isCloseTo(TRUTH.get("x1"), within(0.1));
    assertThat(w[1]).isCloseTo(TRUTH.get("x2"), within(0.1));
    assertThat(w[2]).isCloseTo(TRUTH.get("c=b"), within(0.1));
    assertThat(w[3]).isCloseTo(TRUTH.get("c=c"), within(0.1));
    assertThat(w[4]).isCloseTo(TRUTH.get("flag"), within(0.1));
  }

  private static Map<String, Double> truth() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("intercept", -0.5);
    m.put("x1", 1.2);
    m.put("x2", -0.8);
    m.put("c=b", 0.7);
    m.put("c=c", -0.4);
    m.put("flag", 0.5);
    return m;
  }
}
