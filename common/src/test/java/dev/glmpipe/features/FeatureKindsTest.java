package dev.glmpipe.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.common.hash.Hashing;
import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.config.FeaturesConfig.CategoricalFeature;
import dev.glmpipe.config.FeaturesConfig.CrossFeature;
import dev.glmpipe.config.FeaturesConfig.DatePart;
import dev.glmpipe.config.FeaturesConfig.HashedFeature;
import dev.glmpipe.config.FeaturesConfig.Impute;
import dev.glmpipe.config.FeaturesConfig.NumericFeature;
import dev.glmpipe.config.FeaturesConfig.Scale;
import dev.glmpipe.config.FeaturesConfig.TimestampFeature;
import dev.glmpipe.config.FeaturesConfig.Transform;
import dev.glmpipe.testing.SharedSpark;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Each feature kind's slot values against the same computation done by hand (or by an
 * independent library): the pipeline must agree with the arithmetic the README promises.
 */
class FeatureKindsTest {
  private final SparkSession spark = SharedSpark.get();

  private static FeaturesConfig spec(List<NumericFeature> numeric, List<CategoricalFeature> categorical,
      List<HashedFeature> hashed, List<TimestampFeature> timestamp, List<CrossFeature> crosses) {
    return new FeaturesConfig(numeric, categorical, null, hashed, timestamp, crosses);
  }

  private static PipelineModel fit(FeaturesConfig spec, Dataset<Row> rows) {
    return new Pipeline().setStages(FeaturePipeline.stages(spec, rows).toArray(PipelineStage[]::new)).fit(rows);
  }

  /** Feature vectors in {@code id} order. */
  private static List<Vector> vectors(PipelineModel model, Dataset<Row> rows) {
    return model.transform(rows).orderBy("id").select(FeaturePipeline.FEATURES).collectAsList().stream()
        .map(r -> (Vector) r.get(0)).toList();
  }

  /** The names of a vector's non-zero slots. */
  private static List<String> active(Vector v, List<String> names) {
    List<String> out = new ArrayList<>();
    for (int i : v.toSparse().indices()) {
      if (v.apply(i) != 0.0) {
        out.add(names.get(i));
      }
    }
    return out;
  }

  @Test
  void numericImputesClipsAndTransformsInThatOrder() {
    Dataset<Row> rows = spark.sql("SELECT * FROM VALUES "
        + "(1, -5.0, 1.0, 2.0), (2, 3.0, 100.0, 4.0), (3, 50.0, 3.0, 8.0), (4, NULL, NULL, 16.0) AS t(id, x, y, z)");
    FeaturesConfig spec = spec(List.of(
        new NumericFeature("x", Impute.CONSTANT, 7.0, List.of(0.0, 20.0), Transform.LOG1P, Scale.NONE, null),
        new NumericFeature("y", Impute.MEAN, null, List.of(0.0, 10.0), Transform.LOG1P, Scale.NONE, null),
        new NumericFeature("z", Impute.MEDIAN, null, null, Transform.LOG1P, Scale.STANDARD, null)),
        null, null, null, null);
    PipelineModel model = fit(spec, rows);
    List<Vector> v = vectors(model, rows);
    List<FittedPlan.Slot> slots = FittedPlan.of(model, spec).slots();

    // Standardized first (z), then the others in spec order (x, y).
    assertThat(slots.stream().map(FittedPlan.Slot::name)).containsExactly("log1p(z)", "log1p(x)", "log1p(y)");
    // x: clipped to [0, 20], the null replaced by 7 (input units), then log1p.
    double[] x = {Math.log1p(0.0), Math.log1p(3.0), Math.log1p(20.0), Math.log1p(7.0)};
    // y: clipped to [0, 10] and log1p'd; the null gets the mean of those transformed values.
    double[] yKnown = {Math.log1p(1.0), Math.log1p(10.0), Math.log1p(3.0)};
    double yMean = Arrays.stream(yKnown).average().orElseThrow();
    double[] y = {yKnown[0], yKnown[1], yKnown[2], yMean};
    // z: log1p, then standardized with the sample standard deviation.
    double[] z = Arrays.stream(new double[] {2, 4, 8, 16}).map(Math::log1p).toArray();
    double zMean = Arrays.stream(z).average().orElseThrow();
    double zStd = Math.sqrt(Arrays.stream(z).map(d -> (d - zMean) * (d - zMean)).sum() / (z.length - 1));
    for (int i = 0; i < 4; i++) {
      assertThat(v.get(i).apply(0)).as("z row %d", i).isCloseTo((z[i] - zMean) / zStd, within(1e-12));
      assertThat(v.get(i).apply(1)).as("x row %d", i).isCloseTo(x[i], within(1e-12));
      assertThat(v.get(i).apply(2)).as("y row %d", i).isCloseTo(y[i], within(1e-12));
    }
    assertThat(slots.get(0).shift()).isCloseTo(zMean, within(1e-12));
    assertThat(slots.get(0).scale()).isCloseTo(zStd, within(1e-12));
  }

  @Test
  void quantileBucketsSplitTheDataIntoEqualShares() {
    int n = 1000;
    Dataset<Row> rows = spark.range(1, n + 1).selectExpr("id", "CAST(id AS INT) AS x");
    FeaturesConfig spec = spec(List.of(new NumericFeature("x", Impute.MEDIAN, null, null, null, null, 4)), null, null, null, null);
    PipelineModel model = fit(spec, rows);
    double[] bounds = FittedPlan.of(model).first(FittedPlan.Buckets.class).splitsOf(0);
    List<String> names = FittedPlan.of(model, spec).slotNames();

    assertThat(bounds).hasSize(5);
    assertThat(bounds[0]).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(bounds[4]).isEqualTo(Double.POSITIVE_INFINITY);
    // The inner bounds are the data's quartiles (x is 1..1000), within the 0.1% rank error.
    for (int q = 1; q <= 3; q++) {
      assertThat(bounds[q]).as("bound %d", q).isCloseTo(q * n / 4.0, within(0.001 * n + 1));
    }
    assertThat(names).containsExactly(
        "x_bucket=[-inf," + bounds[1] + ")", "x_bucket=[" + bounds[1] + "," + bounds[2] + ")",
        "x_bucket=[" + bounds[2] + "," + bounds[3] + ")", "x_bucket=[" + bounds[3] + ",inf)");
    // Every row is one-hot in the bucket its value falls in, and each bucket holds a quarter.
    int[] perBucket = new int[4];
    List<Vector> v = vectors(model, rows);
    for (int i = 0; i < n; i++) {
      double value = i + 1;
      int expected = 0;
      while (expected < 3 && value >= bounds[expected + 1]) {
        expected++;
      }
      assertThat(active(v.get(i), names)).containsExactly(names.get(expected));
      perBucket[expected]++;
    }
    for (int count : perBucket) {
      assertThat(count).isCloseTo(n / 4, within((int) (0.001 * n) + 1));
    }
  }

  @Test
  void categoricalKeepsFrequentLevelsAndSendsTheRestToOther() {
    Dataset<Row> rows = spark.sql("SELECT * FROM VALUES "
        + "(1, 'red', 1), (2, 'red', 1), (3, 'red', 1), (4, 'red', 2), (5, 'red', 2), "
        + "(6, 'blue', 2), (7, 'blue', 3), (8, 'blue', 3), (9, 'blue', 3), "
        + "(10, 'green', 3), (11, 'green', 4), (12, 'pink', 4), (13, NULL, 4) AS t(id, color, tier)");
    FeaturesConfig spec = spec(null, List.of(
        new CategoricalFeature("color", 2, 2), new CategoricalFeature("tier", 3, null)), null, null, null);
    PipelineModel model = fit(spec, rows);
    List<String> names = FittedPlan.of(model, spec).slotNames();

    // color counts: red 5, blue 4, green 2, pink 1: min_count 2 keeps three, top_k 2 keeps two.
    // tier counts: 1 x3, 2 x3, 3 x4, 4 x3: all reach 3; most frequent first, ties by value.
    assertThat(names).containsExactly("color=red", "color=blue", "color=__other__",
        "tier=3", "tier=1", "tier=2", "tier=4", "tier=__other__");
    List<Vector> v = vectors(model, rows);
    assertThat(active(v.get(0), names)).containsExactly("color=red", "tier=1");
    assertThat(active(v.get(9), names)).containsExactly("color=__other__", "tier=3");   // green: cut by top_k
    assertThat(active(v.get(11), names)).containsExactly("color=__other__", "tier=4");  // pink: below min_count
    assertThat(active(v.get(12), names)).containsExactly("color=__other__", "tier=4");  // null

    Dataset<Row> unseen = spark.sql("SELECT 99 AS id, 'purple' AS color, 7 AS tier");
    assertThat(active(vectors(model, unseen).get(0), names)).containsExactly("color=__other__", "tier=__other__");
  }

  @Test
  void hashedColumnsLandInTheMurmur3BucketOfColumnEqualsValue() {
    int buckets = 16;
    List<String> agents = new ArrayList<>();
    StringBuilder values = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      agents.add("agent/" + (i * 7919 % 1000));
      values.append(i == 0 ? "" : ", ").append("(").append(i).append(", '").append(agents.get(i)).append("', ").append(i % 5).append(")");
    }
    values.append(", (40, NULL, NULL)");
    Dataset<Row> rows = spark.sql("SELECT * FROM VALUES " + values + " AS t(id, ua, shard)");
    FeaturesConfig spec = spec(null, null, List.of(new HashedFeature("ua", buckets), new HashedFeature("shard", 4)), null, null);
    PipelineModel model = fit(spec, rows);
    List<String> names = FittedPlan.of(model, spec).slotNames();
    List<Vector> v = vectors(model, rows);

    assertThat(names).hasSize(buckets + 4).startsWith("hash(ua)[0]", "hash(ua)[1]").endsWith("hash(shard)[3]");
    for (int i = 0; i < 40; i++) {
      // Guava's Murmur3 (seed 42, as MLlib's FeatureHasher) over "column=value", mod the bucket count.
      int ua = Math.floorMod(murmur3("ua=" + agents.get(i)), buckets);
      int shard = Math.floorMod(murmur3("shard=" + (i % 5)), 4);
      assertThat(v.get(i).size()).isEqualTo(names.size());
      assertThat(active(v.get(i), names)).containsExactly("hash(ua)[" + ua + "]", "hash(shard)[" + shard + "]");
    }
    assertThat(active(v.get(40), names)).isEmpty();
  }

  private static int murmur3(String term) {
    return Hashing.murmur3_32(42).hashBytes(term.getBytes(StandardCharsets.UTF_8)).asInt();
  }

  @Test
  void datePartsAreReadInTheSpecTimeZoneWhateverTheSessionSays() {
    List<Instant> instants = List.of(Instant.parse("2026-11-02T23:30:00Z"), Instant.parse("2026-12-31T22:00:00Z"),
        Instant.parse("2027-03-28T01:15:00Z"));
    List<LocalDate> dates = List.of(LocalDate.parse("2026-11-02"), LocalDate.parse("2027-02-28"), LocalDate.parse("2027-12-05"));
    StringBuilder values = new StringBuilder();
    for (int i = 0; i < 3; i++) {
      long s = instants.get(i).getEpochSecond();
      values.append(i == 0 ? "" : ", ").append("(").append(i).append(", timestamp_seconds(").append(s)
          .append("), timestamp_seconds(").append(s).append("), DATE '").append(dates.get(i)).append("')");
    }
    values.append(", (3, NULL, NULL, NULL)");
    Dataset<Row> rows = spark.sql("SELECT * FROM VALUES " + values + " AS t(id, at_utc, at_tokyo, day)");
    List<DatePart> all = List.of(DatePart.DAY_OF_WEEK, DatePart.MONTH, DatePart.HOUR);
    FeaturesConfig spec = spec(null, null, null, List.of(
        new TimestampFeature("at_utc", all, null),
        new TimestampFeature("at_tokyo", all, "Asia/Tokyo"),
        new TimestampFeature("day", List.of(DatePart.DAY_OF_WEEK, DatePart.MONTH), null)), null);
    PipelineModel model = fit(spec, rows);
    List<String> names = FittedPlan.of(model, spec).slotNames();
    // 7 days, 12 months, 24 hours, each plus a slot for a missing value.
    assertThat(names).hasSize(2 * (8 + 13 + 25) + (8 + 13));

    List<Vector> v = vectors(model, rows);
    for (int i = 0; i < 3; i++) {
      List<String> expected = new ArrayList<>();
      expected.addAll(parts("at_utc", instants.get(i).atZone(ZoneId.of("UTC"))));
      expected.addAll(parts("at_tokyo", instants.get(i).atZone(ZoneId.of("Asia/Tokyo"))));
      LocalDate d = dates.get(i);
      expected.add("day.day_of_week=" + d.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
      expected.add("day.month=" + d.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
      assertThat(active(v.get(i), names)).as("row %d", i).containsExactlyElementsOf(expected);
    }
    assertThat(active(v.get(3), names)).containsExactly(
        "at_utc.day_of_week=__missing__", "at_utc.month=__missing__", "at_utc.hour=__missing__",
        "at_tokyo.day_of_week=__missing__", "at_tokyo.month=__missing__", "at_tokyo.hour=__missing__",
        "day.day_of_week=__missing__", "day.month=__missing__");

    // A scoring cluster with another session time zone sees the same parts.
    String zone = spark.conf().get("spark.sql.session.timeZone");
    try {
      spark.conf().set("spark.sql.session.timeZone", "America/Los_Angeles");
      assertThat(vectors(model, rows)).isEqualTo(v);
    } finally {
      spark.conf().set("spark.sql.session.timeZone", zone);
    }
  }

  private static List<String> parts(String column, ZonedDateTime t) {
    return List.of(
        column + ".day_of_week=" + t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH),
        column + ".month=" + t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH),
        column + ".hour=" + String.format(Locale.ROOT, "%02d", t.getHour()));
  }

  @Test
  void crossesOneHotEachFrequentCombination() {
    Dataset<Row> rows = spark.sql("SELECT * FROM VALUES "
        + "(1, 'basic', 'north'), (2, 'basic', 'north'), (3, 'basic', 'north'), "
        + "(4, 'premium', 'west'), (5, 'premium', 'west'), (6, 'basic', 'west'), (7, NULL, 'north') AS t(id, plan, region)");
    FeaturesConfig spec = spec(null, null, null, null, List.of(new CrossFeature(List.of("plan", "region"), 2, null)));
    PipelineModel model = fit(spec, rows);
    List<String> names = FittedPlan.of(model, spec).slotNames();
    List<Vector> v = vectors(model, rows);

    assertThat(names).containsExactly("plan×region=basic×north", "plan×region=premium×west", "plan×region=__other__");
    assertThat(active(v.get(0), names)).containsExactly("plan×region=basic×north");
    assertThat(active(v.get(3), names)).containsExactly("plan×region=premium×west");
    assertThat(active(v.get(5), names)).containsExactly("plan×region=__other__");  // seen once: below min_count
    assertThat(active(v.get(6), names)).containsExactly("plan×region=__other__");  // null plan
    Dataset<Row> unseen = spark.sql("SELECT 8 AS id, 'premium' AS plan, 'north' AS region");
    assertThat(active(vectors(model, unseen).get(0), names)).containsExactly("plan×region=__other__");
  }
}
