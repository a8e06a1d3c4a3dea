package dev.glmpipe.baseline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.glmpipe.baseline.BinnedCounts.Bins;
import dev.glmpipe.baseline.BinnedCounts.ColumnCounts;
import dev.glmpipe.baseline.BinnedCounts.Result;
import dev.glmpipe.testing.SharedSpark;
import dev.glmpipe.testing.SparkJobs;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class BinnedCountsTest {
  private static final int ROWS = 3000;
  private static final double[] INT_EDGES = {0, 5, 10};
  private static final double[] LONG_EDGES = {-1000, 0, 1000};
  private static final double[] DOUBLE_EDGES = {-1.5, 0, 2.5};
  private static final double[] DECIMAL_EDGES = {1.25, 3.5};
  private static final List<String> LEVELS = List.of("a", "b", "c");
  private static final List<String> BOOLEAN_LEVELS = List.of("true");  // false is unseen on purpose

  private final SparkSession spark = SharedSpark.get();

  private static final StructType SCHEMA = new StructType()
      .add("i", DataTypes.IntegerType)
      .add("l", DataTypes.LongType)
      .add("d", DataTypes.DoubleType)
      .add("dec", DataTypes.createDecimalType(10, 2))
      .add("level.name", DataTypes.StringType)  // a dot in the name must not read as a struct field
      .add("flag", DataTypes.BooleanType);

  /** Seeded rows with nulls, NaN, -0.0, infinities, values exactly on edges and unseen levels. */
  private static List<Row> generate(long seed) {
    Random random = new Random(seed);
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < ROWS; r++) {
      Integer i = random.nextInt(10) == 0 ? null : random.nextInt(21) - 5;  // -5..15: hits 0, 5, 10 often
      Long l = random.nextInt(10) == 0 ? null : (long) (random.nextGaussian() * 2000);
      if (l != null && random.nextInt(10) == 0) {
        l = (long) LONG_EDGES[random.nextInt(LONG_EDGES.length)];
      }
      Double d = switch (random.nextInt(12)) {
        case 0 -> null;
        case 1 -> Double.NaN;
        case 2 -> DOUBLE_EDGES[random.nextInt(DOUBLE_EDGES.length)];
        case 3 -> -0.0;
        case 4 -> random.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        default -> random.nextGaussian() * 3;
      };
      BigDecimal dec = random.nextInt(10) == 0 ? null : BigDecimal.valueOf(random.nextInt(600), 2);  // 0.00..5.99
      String level = switch (random.nextInt(8)) {
        case 0 -> null;
        case 1 -> "d";
        case 2 -> "";
        default -> LEVELS.get(random.nextInt(LEVELS.size()));
      };
      Boolean flag = random.nextInt(6) == 0 ? null : random.nextBoolean();
      rows.add(RowFactory.create(i, l, d, dec, level, flag));
    }
    return rows;
  }

  private Dataset<Row> frame(List<Row> rows, int partitions) {
    // Parallelized rows: several partitions to merge, and no shuffle of the input's own.
    return spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, partitions),
        SCHEMA);
  }

  private static List<Bins> bins() {
    return List.of(
        BinnedCounts.numeric("i", INT_EDGES),
        BinnedCounts.numeric("l", LONG_EDGES),
        BinnedCounts.numeric("d", DOUBLE_EDGES),
        BinnedCounts.numeric("dec", DECIMAL_EDGES),
        BinnedCounts.categorical("level.name", LEVELS),
        BinnedCounts.categorical("flag", BOOLEAN_LEVELS));
  }

  // Independent counting: a linear walk over the edges instead of a search, nulls and NaN first.

  /** Bins k+1 edges' worth of values, then null: a value's bin is how many edges are <= it. */
  private static long[] countNumeric(List<Row> rows, int column, double[] edges) {
    long[] counts = new long[edges.length + 2];
    for (Row row : rows) {
      Object value = row.get(column);
      if (value == null || (value instanceof Double v && v.isNaN())) {
        counts[edges.length + 1]++;
        continue;
      }
      int bin = 0;
      for (double edge : edges) {
        boolean atOrAbove = value instanceof BigDecimal b
            ? b.compareTo(BigDecimal.valueOf(edge)) >= 0
            : ((Number) value).doubleValue() >= edge;  // -0.0 >= 0.0 is true here, as in SQL
        if (atOrAbove) {
          bin++;
        }
      }
      counts[bin]++;
    }
    return counts;
  }

  /** One bin per level, then unseen, then null. */
  private static long[] countLevels(List<Row> rows, int column, List<String> levels) {
    long[] counts = new long[levels.size() + 2];
    for (Row row : rows) {
      Object value = row.get(column);
      if (value == null) {
        counts[levels.size() + 1]++;
      } else {
        int at = levels.indexOf(String.valueOf(value));
        counts[at >= 0 ? at : levels.size()]++;
      }
    }
    return counts;
  }

  @Test
  void countsMatchAPlainJavaCountOfTheSameRows() {
    List<Row> rows = generate(42);
    Result result = BinnedCounts.count(frame(rows, 4), bins());

    assertThat(result.rows()).isEqualTo(ROWS);
    assertThat(result.columns().keySet()).containsExactly("i", "l", "d", "dec", "level.name", "flag");
    assertThat(result.column("i").counts()).containsExactly(countNumeric(rows, 0, INT_EDGES));
    assertThat(result.column("l").counts()).containsExactly(countNumeric(rows, 1, LONG_EDGES));
    assertThat(result.column("d").counts()).containsExactly(countNumeric(rows, 2, DOUBLE_EDGES));
    assertThat(result.column("dec").counts()).containsExactly(countNumeric(rows, 3, DECIMAL_EDGES));
    assertThat(result.column("level.name").counts()).containsExactly(countLevels(rows, 4, LEVELS));
    assertThat(result.column("flag").counts()).containsExactly(countLevels(rows, 5, BOOLEAN_LEVELS));

    // The data really exercise the special bins.
    assertThat(result.column("d").count(BinnedCounts.NULL)).isGreaterThan(rows.stream().filter(r -> r.isNullAt(2)).count());
    assertThat(result.column("level.name").count(BinnedCounts.OTHER)).isPositive();
    assertThat(result.column("flag").count(BinnedCounts.OTHER)).isPositive();

    // Same rows in other partitions: equal results (merging partitions loses nothing).
    assertThat(BinnedCounts.count(frame(rows, 1), bins())).isEqualTo(result);
  }

  @Test
  void everyColumnsCountsSumToTheRowCount() {
    Result result = BinnedCounts.count(frame(generate(7), 3), bins());
    for (ColumnCounts column : result.columns().values()) {
      assertThat(Arrays.stream(column.counts()).sum()).as(column.column()).isEqualTo(ROWS);
      assertThat(column.counts()).as(column.column()).hasSize(column.labels().size());
    }
  }

  @Test
  void valuesOnAnEdgeGoToTheBinOnItsRight() {
    List<Row> rows = new ArrayList<>();
    for (double v : new double[] {0.999, 1.0, 2.5, 2.5, 3.0, -0.0}) {
      rows.add(RowFactory.create(null, null, v, null, null, null));
    }
    Result result = BinnedCounts.count(frame(rows, 2), List.of(BinnedCounts.numeric("d", new double[] {0.0, 1.0, 2.5})));
    ColumnCounts d = result.column("d");
    assertThat(d.labels()).containsExactly("[-inf,0.0)", "[0.0,1.0)", "[1.0,2.5)", "[2.5,+inf)", BinnedCounts.NULL);
    assertThat(d.count("[-inf,0.0)")).isZero();  // -0.0 is 0.0
    assertThat(d.count("[0.0,1.0)")).isEqualTo(2);  // -0.0 and 0.999
    assertThat(d.count("[1.0,2.5)")).isEqualTo(1);
    assertThat(d.count("[2.5,+inf)")).isEqualTo(3);
  }

  @Test
  void theLinearAndTheBinarySearchFindTheSameBins() {
    Random random = new Random(9);
    for (int n : new int[] {0, 1, 2, BinnedCounts.LINEAR_EDGES, BinnedCounts.LINEAR_EDGES + 1, 40}) {
      double[] edges = new double[n];
      for (int k = 0; k < n; k++) {
        edges[k] = -n + 2 * k + (random.nextBoolean() ? 0 : random.nextDouble());  // whole and fractional edges
      }
      if (n > 1) {  // differences that overflow
        edges[0] = -1e300;
        edges[n - 1] = 1e300;
      }
      List<Double> values = new ArrayList<>(List.of(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, -Double.MAX_VALUE,
          Double.MAX_VALUE, 0.0, Double.MIN_VALUE, -Double.MIN_VALUE));
      for (double e : edges) {
        values.addAll(List.of(e, Math.nextUp(e), Math.nextDown(e)));
      }
      for (int k = 0; k < 200; k++) {
        values.add((random.nextDouble() - 0.5) * 3 * n);
      }
      for (double v : values) {
        long atOrBelow = Arrays.stream(edges).filter(e -> e <= v).count();
        assertThat(BinnedCounts.bin(edges, v)).as("%s edges, value %s", n, v).isEqualTo((int) atOrBelow);
      }
    }
  }

  @Test
  void manyLevelsAreFoundAsWellAsFew() {
    // Few levels are compared in turn, many are hashed: both ways, every value finds its level.
    List<String> many = new ArrayList<>();
    for (int l = 0; l < 30; l++) {
      many.add("level-" + l);
    }
    many.add("é");  // multi-byte UTF-8
    List<Row> rows = new ArrayList<>();
    Random random = new Random(4);
    for (int r = 0; r < ROWS; r++) {
      int pick = random.nextInt(many.size() + 3);
      String value = pick < many.size() ? many.get(pick) : pick == many.size() ? null : pick == many.size() + 1 ? "level-99" : "level-";
      rows.add(RowFactory.create(null, null, null, null, value, null));
    }
    for (List<String> levels : List.of(many, many.subList(0, 3), List.of("é", "level-1"))) {
      Result result = BinnedCounts.count(frame(rows, 3), List.of(BinnedCounts.categorical("level.name", levels)));
      assertThat(result.column("level.name").counts()).as("%s levels", levels.size()).containsExactly(countLevels(rows, 4, levels));
    }
  }

  @Test
  void categoricalLabelsAreTheLevelsThenUnseenThenNull() {
    assertThat(BinnedCounts.categorical("g", List.of("x", "y")).labels())
        .containsExactly("x", "y", BinnedCounts.OTHER, BinnedCounts.NULL);
    assertThat(BinnedCounts.numeric("x", new double[0]).labels()).containsExactly("[-inf,+inf)", BinnedCounts.NULL);
  }

  @Test
  void allColumnsAreCountedInExactlyOneSparkJob() {
    Dataset<Row> frame = frame(generate(3), 4);
    AtomicReference<Result> result = new AtomicReference<>();
    int jobs = SparkJobs.startedBy(spark, () -> result.set(BinnedCounts.count(frame, bins())));
    assertThat(jobs).isEqualTo(1);
    assertThat(result.get().rows()).isEqualTo(ROWS);
  }

  @Test
  void noRowsGiveZeroCounts() {
    Result result = BinnedCounts.count(frame(List.of(), 2), bins());
    assertThat(result.rows()).isZero();
    assertThat(result.column("i").counts()).containsOnly(0L).hasSize(INT_EDGES.length + 2);
  }

  @Test
  void badSpecsFailWithTheColumnName() {
    Dataset<Row> frame = frame(generate(1), 1);
    assertThatThrownBy(() -> BinnedCounts.count(frame, List.of(BinnedCounts.numeric("missing", INT_EDGES))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing");
    assertThatThrownBy(() -> BinnedCounts.count(frame, List.of(BinnedCounts.numeric("level.name", INT_EDGES))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("level.name").hasMessageContaining("numeric");
    assertThatThrownBy(() -> BinnedCounts.count(frame, List.of(BinnedCounts.categorical("d", LEVELS))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("string or boolean");
    assertThatThrownBy(() -> BinnedCounts.numeric("x", new double[] {1, 1}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("strictly increasing");
    assertThatThrownBy(() -> BinnedCounts.categorical("g", List.of("a", BinnedCounts.OTHER)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // Sums: checked against Spark SQL's own sum of the same values, NaN and null left out.

  private static String valueSql(String column) {
    String v = "CAST(" + column + " AS DOUBLE)";
    return "CASE WHEN isnan(" + v + ") THEN NULL ELSE " + v + " END";
  }

  /** The rows without infinities (NaN, nulls and -0.0 stay), for sums that are finite. */
  private Dataset<Row> finite(List<Row> rows, int partitions) {
    return frame(rows, partitions).where("d IS NULL OR isnan(d) OR abs(d) < 1e300");
  }

  @Test
  void numericColumnsCarryTheSumOfTheirNonNullNonNaNValues() {
    List<Row> rows = generate(42);
    Result result = BinnedCounts.count(frame(rows, 4), bins());
    Row sql = frame(rows, 4).selectExpr("sum(" + valueSql("i") + ")", "sum(" + valueSql("l") + ")",
        "sum(" + valueSql("d") + ")", "sum(dec)").first();

    assertThat(result.column("i").sum()).isEqualTo(sql.getDouble(0));  // whole numbers: exact either way
    assertThat(result.column("l").sum()).isEqualTo(sql.getDouble(1));
    assertThat(result.column("d").sum()).isNaN();  // +inf and -inf both occur
    assertThat(sql.getDouble(2)).isNaN();
    assertThat(result.column("dec").sum()).isCloseTo(sql.getDecimal(3).doubleValue(), within(1e-9));
    assertThat(result.column("level.name").sum()).isNull();
    assertThat(result.column("flag").sum()).isNull();
    for (ColumnCounts c : result.columns().values()) {
      assertThat(c.binSums()).as(c.column()).isNull();
      assertThat(c.binSquares()).as(c.column()).isNull();
    }

    // Finite values: the sum over non-null, non-NaN rows gives Spark's mean, -0.0 and all.
    Result finite = BinnedCounts.count(finite(rows, 3), List.of(BinnedCounts.numeric("d", DOUBLE_EDGES)));
    Row expected = finite(rows, 3).selectExpr("sum(" + valueSql("d") + ")", "avg(" + valueSql("d") + ")").first();
    ColumnCounts d = finite.column("d");
    assertThat(d.sum()).isCloseTo(expected.getDouble(0), within(1e-9));
    assertThat(d.sum() / (finite.rows() - d.count(BinnedCounts.NULL))).isCloseTo(expected.getDouble(1), within(1e-12));
    // Compensated sums: the same however the rows are split.
    assertThat(BinnedCounts.count(finite(rows, 1), List.of(BinnedCounts.numeric("d", DOUBLE_EDGES)))).isEqualTo(finite);
  }

  @Test
  void aColumnOfOnlyNullsSumsToZero() {
    List<Row> rows = List.of(RowFactory.create(null, null, Double.NaN, null, null, null),
        RowFactory.create(null, null, null, null, null, null));
    Result result = BinnedCounts.count(frame(rows, 2), List.of(BinnedCounts.numericWithSums("d", DOUBLE_EDGES)));
    assertThat(result.column("d").sum()).isEqualTo(0.0);
    assertThat(result.column("d").count(BinnedCounts.NULL)).isEqualTo(2);
    assertThat(result.column("d").binSums()).containsOnly(0.0);
  }

  @Test
  void perBinSumsAndSquaresMatchSparkSqlPerBin() {
    List<Row> rows = generate(11);
    Result result = BinnedCounts.count(finite(rows, 4), List.of(
        BinnedCounts.numericWithSums("d", DOUBLE_EDGES), BinnedCounts.numericWithSums("dec", DECIMAL_EDGES),
        BinnedCounts.numeric("i", INT_EDGES)));
    assertPerBin(result.column("d"), finite(rows, 4), "d", DOUBLE_EDGES);
    assertPerBin(result.column("dec"), finite(rows, 4), "dec", DECIMAL_EDGES);
    assertThat(result.column("i").binSums()).isNull();
    assertThat(result.column("i").binSquares()).isNull();

    // The bins' sums add up to the column's sum.
    ColumnCounts d = result.column("d");
    assertThat(Arrays.stream(d.binSums()).sum()).isCloseTo(d.sum(), within(1e-9));

    // Infinities land in the outer bins, and so do their sums.
    ColumnCounts withInfinities = BinnedCounts.count(frame(rows, 2), List.of(BinnedCounts.numericWithSums("d", DOUBLE_EDGES)))
        .column("d");
    assertThat(withInfinities.binSums()[0]).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(withInfinities.binSums()[DOUBLE_EDGES.length]).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(withInfinities.binSquares()[0]).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(withInfinities.binSums()[1]).isCloseTo(d.binSums()[1], within(1e-9));
  }

  @Test
  void perBinSumsOverAThousandFineScoreBins() {
    double[] edges = new double[999];
    for (int k = 1; k <= 999; k++) {
      edges[k - 1] = k / 1000.0;
    }
    Dataset<Row> scores = spark.range(0, 20000, 1, 4).selectExpr(
        "CASE WHEN id % 97 = 0 THEN NULL ELSE pmod(xxhash64(id), 1000003L) / 1000003.0D END AS score");
    Result result = BinnedCounts.count(scores, List.of(BinnedCounts.numericWithSums("score", edges)));
    ColumnCounts score = result.column("score");
    assertThat(score.counts()).hasSize(1001);
    assertPerBin(score, scores, "score", edges);
  }

  /**
   * Checks counts, sums and sums of squares per bin against Spark SQL, which finds a value's bin
   * as the number of edges at or below it (NaN and null: the null bin).
   */
  private void assertPerBin(ColumnCounts counts, Dataset<Row> rows, String column, double[] edges) {
    String v = "CAST(" + column + " AS DOUBLE)";
    String edgeArray = "array(" + String.join(", ", Arrays.stream(edges).mapToObj(e -> e + "D").toList()) + ")";
    String binSql = "CASE WHEN " + v + " IS NULL OR isnan(" + v + ") THEN " + (edges.length + 1)
        + " ELSE size(filter(" + edgeArray + ", e -> e <= " + v + ")) END";
    long[] expectedCounts = new long[edges.length + 2];
    double[] expectedSums = new double[edges.length + 2];
    double[] expectedSquares = new double[edges.length + 2];
    for (Row r : rows.selectExpr(binSql + " AS bin", valueSql(column) + " AS v").groupBy("bin")
        .agg(org.apache.spark.sql.functions.count("*"), org.apache.spark.sql.functions.sum("v"),
            org.apache.spark.sql.functions.sum(org.apache.spark.sql.functions.expr("v * v")))
        .collectAsList()) {
      int bin = r.getInt(0);
      expectedCounts[bin] = r.getLong(1);
      expectedSums[bin] = r.isNullAt(2) ? 0.0 : r.getDouble(2);
      expectedSquares[bin] = r.isNullAt(3) ? 0.0 : r.getDouble(3);
    }
    assertThat(counts.counts()).as(column + " counts").containsExactly(expectedCounts);
    double[] sums = counts.binSums();
    double[] squares = counts.binSquares();
    assertThat(sums).as(column + " sums").hasSize(expectedSums.length);
    for (int b = 0; b < sums.length; b++) {
      assertThat(sums[b]).as(column + " sum of bin " + b).isCloseTo(expectedSums[b], within(1e-9 * (1 + Math.abs(expectedSums[b]))));
      assertThat(squares[b]).as(column + " squares of bin " + b)
          .isCloseTo(expectedSquares[b], within(1e-9 * (1 + Math.abs(expectedSquares[b]))));
    }
    assertThat(sums[sums.length - 1]).isZero();  // the null bin holds no values
  }

  @Test
  void columnCountsCompareAndPrintTheirSums() {
    List<String> labels = List.of("[-inf,1.0)", "[1.0,+inf)", BinnedCounts.NULL);
    long[] counts = {1, 2, 3};
    ColumnCounts plain = new ColumnCounts("x", labels, counts);
    ColumnCounts summed = new ColumnCounts("x", labels, counts, 4.5, null, null);
    ColumnCounts perBin = new ColumnCounts("x", labels, counts, 4.5, new double[] {0.5, 4.0, 0}, new double[] {0.25, 8.5, 0});
    assertThat(plain).isNotEqualTo(summed);
    assertThat(summed).isNotEqualTo(perBin);
    assertThat(summed).isEqualTo(new ColumnCounts("x", labels, counts, 4.5, null, null))
        .hasSameHashCodeAs(new ColumnCounts("x", labels, counts, 4.5, null, null));
    assertThat(perBin).isEqualTo(new ColumnCounts("x", labels, counts, 4.5, new double[] {0.5, 4.0, 0}, new double[] {0.25, 8.5, 0}))
        .hasSameHashCodeAs(new ColumnCounts("x", labels, counts, 4.5, new double[] {0.5, 4.0, 0}, new double[] {0.25, 8.5, 0}));
    assertThat(perBin).isNotEqualTo(new ColumnCounts("x", labels, counts, 4.5, new double[] {0.5, 4.0, 0}, new double[] {0.25, 8.0, 0}));
    assertThat(plain.toString()).doesNotContain("sum");
    assertThat(summed.toString()).contains("sum=4.5").doesNotContain("binSums");
    assertThat(perBin.toString()).contains("binSums=[0.5, 4.0, 0.0]").contains("binSquares=[0.25, 8.5, 0.0]");
    assertThat(perBin.binSums()).containsExactly(0.5, 4.0, 0);  // a copy: changing it changes nothing
    perBin.binSums()[0] = 9;
    assertThat(perBin.binSums()[0]).isEqualTo(0.5);
    assertThatThrownBy(() -> new ColumnCounts("x", labels, counts, 4.5, new double[3], null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ColumnCounts("x", labels, counts, 4.5, new double[2], new double[2]))
        .isInstanceOf(IllegalArgumentException.class);

    assertThat(BinnedCounts.numericWithSums("x", new double[] {1})).isNotEqualTo(BinnedCounts.numeric("x", new double[] {1}))
        .isEqualTo(BinnedCounts.numericWithSums("x", new double[] {1}))
        .hasSameHashCodeAs(BinnedCounts.numericWithSums("x", new double[] {1}));
    assertThat(BinnedCounts.numericWithSums("x", new double[] {1}).labels())
        .isEqualTo(BinnedCounts.numeric("x", new double[] {1}).labels());
  }

  @Test
  void edgesFromQuantilesDropDuplicatesSoNoInnerBinIsEmpty() {
    // A column with few distinct values: deciles repeat.
    assertThat(BinnedCounts.edgesFromQuantiles(new double[] {0, 0, 0, 1, 1, 2, 2, 2, 5}))
        .containsExactly(0, 1, 2, 5);
    assertThat(BinnedCounts.edgesFromQuantiles(new double[] {3, 3, 3})).containsExactly(3);
    assertThat(BinnedCounts.edgesFromQuantiles(new double[0])).isEmpty();
    assertThatThrownBy(() -> BinnedCounts.edgesFromQuantiles(new double[] {2, 1}))
        .isInstanceOf(IllegalArgumentException.class);

    // Edges from exact quantiles of data leave no bin from the first edge on empty.
    Random random = new Random(5);
    double[] values = new double[1000];
    for (int i = 0; i < values.length; i++) {
      values[i] = random.nextInt(4);  // four distinct values
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    double[] deciles = new double[9];
    for (int q = 1; q <= 9; q++) {
      deciles[q - 1] = sorted[q * sorted.length / 10];
    }
    double[] edges = BinnedCounts.edgesFromQuantiles(deciles);
    for (int b = 0; b < edges.length; b++) {
      double lower = edges[b];
      double upper = b + 1 < edges.length ? edges[b + 1] : Double.POSITIVE_INFINITY;
      assertThat(Arrays.stream(values).filter(v -> v >= lower && v < upper).count()).as("[%s,%s)", lower, upper)
          .isPositive();
    }
  }
}
