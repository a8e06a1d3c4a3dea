package dev.glmpipe.baseline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.config.FeaturesConfig.CategoricalFeature;
import dev.glmpipe.config.FeaturesConfig.CrossFeature;
import dev.glmpipe.config.FeaturesConfig.DatePart;
import dev.glmpipe.config.FeaturesConfig.HashedFeature;
import dev.glmpipe.config.FeaturesConfig.Impute;
import dev.glmpipe.config.FeaturesConfig.NumericFeature;
import dev.glmpipe.config.FeaturesConfig.Scale;
import dev.glmpipe.config.FeaturesConfig.TimestampFeature;
import dev.glmpipe.features.FeatureSpecHash;
import dev.glmpipe.features.LevelCounts.Level;
import dev.glmpipe.io.JsonFiles;
import dev.glmpipe.baseline.FeatureProfile.Feature;
import dev.glmpipe.testing.SharedSpark;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.TextStyle;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.SparkStatusTracker;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class FeatureProfileTest {
  private final SparkSession spark = SharedSpark.get();

  /**
   * 105 rows (id 0..104): x is 1..100 then null five times, g three levels, b a boolean with
   * nulls, code distinct on every row, t one day apart, region two levels.
   */
  private Dataset<Row> rows() {
    return spark.range(0, 105).selectExpr(
        "id",
        "IF(id < 100, CAST(id + 1 AS INT), NULL) AS x",
        "IF(id < 100, CAST(id AS DOUBLE) * 2, NULL) AS y",
        "CASE WHEN id % 10 < 5 THEN 'a' WHEN id % 10 < 8 THEN 'b' ELSE 'c' END AS g",
        "IF(id % 7 = 0, NULL, id % 3 = 0) AS b",
        "concat('v', CAST(id AS STRING)) AS code",
        "timestamp_seconds(1790000000 + id * 86400) AS t",
        "IF(id % 2 = 0, 'east', 'west') AS region");
  }

  private static final FeaturesConfig SPEC = new FeaturesConfig(
      List.of(new NumericFeature("x", Impute.MEDIAN, Scale.NONE)),
      List.of(new CategoricalFeature("g")),
      List.of("b"),
      List.of(new HashedFeature("code", 64)),
      List.of(new TimestampFeature("t", List.of(DatePart.DAY_OF_WEEK), null)),
      List.of(new CrossFeature("g", "region")));

  private static Map<String, Feature> byName(FeatureProfile p) {
    return p.features().stream().collect(Collectors.toMap(Feature::name, Function.identity()));
  }

  @Test
  void numericStatisticsMatchTheirDefinitions() {
    FeatureProfile profile = FeatureProfile.compute(rows(), SPEC);
    Feature x = byName(profile).get("x");

    assertThat(profile.rows()).isEqualTo(105);
    assertThat(profile.featureSpecHash()).isEqualTo(FeatureSpecHash.of(SPEC));
    assertThat(x.count()).isEqualTo(100);
    assertThat(x.nulls()).isEqualTo(5);
    assertThat(x.mean()).isCloseTo(50.5, within(1e-12));
    double variance = IntStream.rangeClosed(1, 100).mapToDouble(i -> (i - 50.5) * (i - 50.5)).sum() / 99;
    assertThat(x.std()).isCloseTo(Math.sqrt(variance), within(1e-9));
    assertThat(x.min()).isEqualTo(1.0);
    assertThat(x.max()).isEqualTo(100.0);
    // On 1..100 the p-quantile is p * 100, up to one rank.
    assertThat(x.quantiles()).hasSameSizeAs(FeatureProfile.QUANTILES);
    for (int i = 0; i < FeatureProfile.QUANTILES.size(); i++) {
      assertThat(x.quantiles().get(i)).isCloseTo(FeatureProfile.QUANTILES.get(i) * 100, within(1.0));
    }
  }

  @Test
  void levelFeaturesCountTheirMostFrequentValues() {
    Map<String, Feature> f = byName(FeatureProfile.compute(rows(), SPEC));

    // g: id % 10 in 0..4 is a, 5..7 b, 8..9 c over ids 0..104.
    Map<String, Long> g = new TreeMap<>();
    for (int id = 0; id < 105; id++) {
      g.merge(id % 10 < 5 ? "a" : id % 10 < 8 ? "b" : "c", 1L, Long::sum);
    }
    assertThat(f.get("g").top()).containsExactly(new Level("a", g.get("a")), new Level("b", g.get("b")), new Level("c", g.get("c")));
    assertThat(f.get("g").otherCount()).isZero();
    assertThat(f.get("g").kind()).isEqualTo("categorical");

    // b: null when id % 7 == 0.
    long nulls = IntStream.range(0, 105).filter(id -> id % 7 == 0).count();
    long trues = IntStream.range(0, 105).filter(id -> id % 7 != 0 && id % 3 == 0).count();
    assertThat(f.get("b").nulls()).isEqualTo(nulls);
    assertThat(f.get("b").top()).containsExactly(new Level("false", 105 - nulls - trues), new Level("true", trues));

    // code: 105 distinct values, more than the profile keeps.
    Feature code = f.get("code");
    assertThat(code.distinct()).isEqualTo(105);
    assertThat(code.top()).hasSize(FeatureProfile.TOP_LEVELS);
    assertThat(code.otherCount()).isEqualTo(105 - FeatureProfile.TOP_LEVELS);

    // t: days of week as the model's levels name them, counted with java.time.
    Map<String, Long> days = IntStream.range(0, 105).mapToObj(id -> Instant.ofEpochSecond(1_790_000_000L + id * 86_400L)
            .atZone(ZoneOffset.UTC).getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH))
        .collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
    Feature dow = f.get("t.day_of_week");
    assertThat(dow.kind()).isEqualTo("date_part");
    Map<String, Long> counted = new TreeMap<>();
    dow.top().forEach(l -> counted.put(l.value(), l.count()));
    assertThat(counted).isEqualTo(days);

    assertThat(f.get("g×region").top().stream().mapToLong(Level::count).sum()).isEqualTo(105);
    assertThat(f.get("g×region").columns()).containsExactly("g", "region");
  }

  @Test
  void theNumberOfSparkJobsDoesNotGrowWithTheNumberOfFeatures() throws InterruptedException {
    FeaturesConfig small = new FeaturesConfig(List.of(new NumericFeature("x", Impute.MEDIAN, Scale.NONE)),
        List.of(new CategoricalFeature("g")), null, null, null, null);
    FeaturesConfig large = new FeaturesConfig(
        List.of(new NumericFeature("x", Impute.MEDIAN, Scale.NONE), new NumericFeature("y", Impute.MEDIAN, Scale.NONE)),
        List.of(new CategoricalFeature("g"), new CategoricalFeature("region")), List.of("b"),
        List.of(new HashedFeature("code", 64)), List.of(new TimestampFeature("t", List.of(DatePart.values()), null)),
        List.of(new CrossFeature("g", "region")));
    assertThat(jobs("profile-large", large)).isEqualTo(jobs("profile-small", small));
  }

  private int jobs(String group, FeaturesConfig spec) throws InterruptedException {
    Dataset<Row> rows = rows();
    spark.sparkContext().setJobGroup(group, group, false);
    try {
      FeatureProfile.compute(rows, spec);
    } finally {
      spark.sparkContext().clearJobGroup();
    }
    // The status tracker learns of jobs through the listener bus: wait until it has seen them all end.
    SparkStatusTracker tracker = spark.sparkContext().statusTracker();
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      int[] ids = tracker.getJobIdsForGroup(group);
      boolean done = ids.length > 0 && IntStream.of(ids).allMatch(id -> tracker.getJobInfo(id).isDefined()
          && tracker.getJobInfo(id).get().status() != org.apache.spark.JobExecutionStatus.RUNNING);
      if (done && spark.sparkContext().statusTracker().getActiveJobIds().length == 0) {
        return ids.length;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("jobs of " + group + " did not finish within 10 s");
  }

  @Test
  void theProfileIsPlainJsonWithoutEmptyFields() throws Exception {
    String json = JsonFiles.toJson(FeatureProfile.compute(rows(), SPEC));
    var tree = JsonFiles.MAPPER.readTree(json);
    assertThat(tree.get("rows").asLong()).isEqualTo(105);
    assertThat(tree.get("quantile_probabilities")).hasSize(7);
    var x = tree.get("features").get(0);
    assertThat(x.get("name").asText()).isEqualTo("x");
    assertThat(x.has("top")).isFalse();
    var g = tree.get("features").get(2);
    assertThat(g.get("name").asText()).isEqualTo("g");
    assertThat(g.has("mean")).isFalse();
    assertThat(g.get("top").get(0).get("value").asText()).isEqualTo("a");
  }
}
