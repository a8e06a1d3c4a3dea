package dev.glmpipe.baseline;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.config.FeaturesConfig.CategoricalFeature;
import dev.glmpipe.config.FeaturesConfig.CrossFeature;
import dev.glmpipe.config.FeaturesConfig.DatePart;
import dev.glmpipe.config.FeaturesConfig.HashedFeature;
import dev.glmpipe.config.FeaturesConfig.Impute;
import dev.glmpipe.config.FeaturesConfig.NumericFeature;
import dev.glmpipe.config.FeaturesConfig.Scale;
import dev.glmpipe.config.FeaturesConfig.TimestampFeature;
import dev.glmpipe.features.FeaturePipeline;
import dev.glmpipe.features.FeatureStatistics;
import dev.glmpipe.features.StatisticsPass;
import dev.glmpipe.testing.SharedSpark;
import dev.glmpipe.testing.SparkJobs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BaselineBuilderTest {
  private static final int BINS = 10;
  private final SparkSession spark = SharedSpark.get();

  /** x continuous (log-normal) with nulls and NaN; k few integers incl. negatives; g, b, t, region levels; code hashed. */
  private static final FeaturesConfig SPEC = new FeaturesConfig(
      List.of(new NumericFeature("x", Impute.MEAN, Scale.STANDARD), new NumericFeature("k", Impute.MEAN, Scale.NONE)),
      List.of(new CategoricalFeature("g", 30, null)),
      List.of("b"),
      List.of(new HashedFeature("code", 16)),
      List.of(new TimestampFeature("t", List.of(DatePart.DAY_OF_WEEK), null)),
      List.of(new CrossFeature("g", "region")));

  private Dataset<Row> rows;
  private Dataset<Row> training;
  private Baseline baseline;
  private int passJobs;

  @BeforeAll
  void build() {
    rows = spark.range(0, 6000).repartition(3).selectExpr(
        "id",
        "CASE WHEN id < 1000 THEN '2026-11-01' WHEN id < 3500 THEN '2026-11-02' ELSE '2026-11-03' END AS dt",
        "CASE WHEN id % 17 = 0 THEN NULL WHEN id % 29 = 0 THEN CAST('NaN' AS DOUBLE) ELSE exp(randn(5)) * 100 END AS x",
        "IF(id % 13 = 0, NULL, CAST(id % 7 - 3 AS INT)) AS k",
        "CASE WHEN id % 11 = 0 THEN NULL WHEN id % 10 < 5 THEN 'a' WHEN id % 10 < 8 THEN 'b' WHEN id % 1000 = 9 THEN 'rare' "
            + "ELSE 'c' END AS g",
        "IF(id % 7 = 0, NULL, id % 3 = 0) AS b",
        "concat('v', CAST(id AS STRING)) AS code",
        "IF(id % 19 = 0, NULL, timestamp_seconds(1790000000 + id * 3600)) AS t",
        "IF(id % 2 = 0, 'east', 'west') AS region").cache();
    Column isTraining = col("id").mod(5).notEqual(0);
    training = rows.where(isTraining);
    StatisticsPass pass = new StatisticsPass();
    FeatureStatistics.request(SPEC, rows.schema(), pass);
    FeatureProfile.request(SPEC, rows.schema(), pass);
    BaselineBuilder.request(SPEC, rows.schema(), pass);
    rows.count();
    StatisticsPass.Results[] r = new StatisticsPass.Results[1];
    passJobs = SparkJobs.startedBy(spark, () -> r[0] = pass.run(rows, isTraining));
    FeatureStatistics stats = FeatureStatistics.read(SPEC, rows.schema(), r[0], training);
    Map<String, List<String>> kept = FeaturePipeline.keptLevels(
        FeaturePipeline.fitted(SPEC, spark, rows.schema(), stats), SPEC);
    baseline = BaselineBuilder.build(SPEC, rows.schema(), r[0], kept, null, BINS, Baseline.TRAIN);
  }

  @Test
  void thePassIsStillOneSparkJob() {
    assertThat(passJobs).isEqualTo(1);
  }

  @Test
  void countsEqualAnIndependentCountOverall() {
    assertThat(baseline.rows()).isEqualTo(training.count());
    assertThat(baseline.features()).extracting(Baseline.Column::name)
        .containsExactly("x", "k", "b", "g", "t.day_of_week", "g×region");  // hashed code is not monitored
    BinnedCounts.Result independent = count(training);
    for (Baseline.Column c : baseline.features()) {
      assertThat(c.counts()).as(c.name())
          .containsExactlyElementsOf(Arrays.stream(independent.column(c.name()).counts()).boxed().toList());
      assertThat(c.counts().stream().mapToLong(Long::longValue).sum()).isEqualTo(baseline.rows());
    }
    Baseline.Column g = baseline.feature("g");
    assertThat(g.levels()).containsExactly("a", "b", "c");  // 'rare' is below min_count: other
    assertThat(g.counts().get(3)).as("other").isPositive();
    assertThat(g.counts().get(4)).as("null").isPositive();
    assertThat(baseline.feature("x").counts().get(0)).as("below the training minimum").isZero();
    assertThat(baseline.feature("x").counts().get(baseline.feature("x").edges().size())).as("above the maximum").isZero();
  }

  @Test
  void everyChunkEqualsTheIndependentCountOfItsDayAndChunksSumToTheTotal() {
    assertThat(baseline.chunks()).extracting(Baseline.Chunk::dt).containsExactly("2026-11-01", "2026-11-02", "2026-11-03");
    long rows = 0;
    for (Baseline.Chunk chunk : baseline.chunks()) {
      Dataset<Row> day = training.where(col("dt").equalTo(chunk.dt()));
      assertThat(chunk.rows()).isEqualTo(day.count());
      rows += chunk.rows();
      BinnedCounts.Result independent = count(day);
      for (Baseline.Column c : baseline.features()) {
        assertThat(chunk.counts().get(c.name())).as(chunk.dt() + " " + c.name())
            .containsExactlyElementsOf(Arrays.stream(independent.column(c.name()).counts()).boxed().toList());
      }
      double sum = day.selectExpr("sum(IF(isnan(x), NULL, x))").first().getDouble(0);
      assertThat(chunk.sums().get("x")).isCloseTo(sum, org.assertj.core.api.Assertions.within(1e-6 * Math.abs(sum)));
      assertThat(chunk.scoreCounts()).isNull();
    }
    assertThat(rows).isEqualTo(baseline.rows());
    for (Baseline.Column c : baseline.features()) {
      for (int b = 0; b < c.counts().size(); b++) {
        int bin = b;
        assertThat(baseline.chunks().stream().mapToLong(ch -> ch.counts().get(c.name()).get(bin)).sum())
            .isEqualTo(c.counts().get(b));
      }
    }
  }

  @Test
  void edgesAreStrictlyIncreasingNearTheQuantilesAndCutEvenBins() {
    Baseline.Column x = baseline.feature("x");
    List<Double> edges = x.edges();
    assertThat(edges).hasSize(BINS + 1);
    for (int i = 1; i < edges.size(); i++) {
      assertThat(edges.get(i)).isGreaterThan(edges.get(i - 1));
    }
    double[] values = training.selectExpr("x").where("x IS NOT NULL AND NOT isnan(x)").collectAsList().stream()
        .mapToDouble(r -> r.getDouble(0)).sorted().toArray();
    assertThat(edges.get(0)).isLessThanOrEqualTo(values[0]).isGreaterThan(values[0] * (1 - 1.0 / 32) - 1e-12);
    assertThat(edges.get(BINS)).isGreaterThan(values[values.length - 1]);
    for (int i = 1; i < BINS; i++) {
      double q = values[(int) Math.ceil((double) i / BINS * values.length) - 1];
      assertThat(edges.get(i)).as("edge %d", i).isLessThanOrEqualTo(q).isGreaterThan(q * (1 - 0.035));
    }
    long nonNull = values.length;
    for (int b = 2; b < BINS; b++) {  // inner bins between quantile edges
      assertThat((double) x.counts().get(b) / nonNull).as("bin %d", b).isBetween(0.5 / BINS, 1.5 / BINS);
    }
    assertThat(x.mean()).isCloseTo(Arrays.stream(values).average().orElseThrow(), org.assertj.core.api.Assertions.within(1e-6));
    // k has 7 values: fewer edges, still strictly increasing, each value in a bin of its own or shared.
    Baseline.Column k = baseline.feature("k");
    for (int i = 1; i < k.edges().size(); i++) {
      assertThat(k.edges().get(i)).isGreaterThan(k.edges().get(i - 1));
    }
    // The minimum's bucket's lower bound: -3.0 tops its bucket (negative buckets grow downwards).
    assertThat(k.edges().get(0)).isLessThanOrEqualTo(-3.0).isGreaterThan(-3.0 * (1 + 1.0 / 32));
  }

  @Test
  void theBaselineRoundTripsThroughJson() {
    String json = dev.glmpipe.io.JsonFiles.toJson(baseline.withVersion("v1"));
    Baseline back;
    try {
      back = dev.glmpipe.io.JsonFiles.MAPPER.readValue(json, Baseline.class);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertThat(back).isEqualTo(baseline.withVersion("v1"));
  }

  /** Every monitored column's sql projected under its name, counted by the monitor's own code. */
  private BinnedCounts.Result count(Dataset<Row> rows) {
    List<Column> projection = new ArrayList<>();
    List<BinnedCounts.Bins> bins = new ArrayList<>();
    for (Baseline.Column c : baseline.features()) {
      projection.add(org.apache.spark.sql.functions.expr(c.sql()).as(c.name()));
      bins.add(c.bins());
    }
    return BinnedCounts.count(rows.select(projection.toArray(Column[]::new)), bins);
  }
}
