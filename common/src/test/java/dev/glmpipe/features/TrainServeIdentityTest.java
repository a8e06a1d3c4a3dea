package dev.glmpipe.features;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glmpipe.Columns;
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
import dev.glmpipe.config.ModelConfig;
import dev.glmpipe.score.PipelineScorer;
import dev.glmpipe.testing.SharedSpark;
import dev.glmpipe.train.ModelCoefficients;
import dev.glmpipe.train.ModelTrainer;
import dev.glmpipe.train.TrainingFrames;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training rows scored through the scoring path (the version saved to disk, loaded back,
 * {@link PipelineScorer}) give exactly what the training pipeline computed for them: same
 * feature vectors, same probabilities, bit for bit, with every feature kind in one spec.
 */
class TrainServeIdentityTest {
  private final SparkSession spark = SharedSpark.get();

  @TempDir Path tmp;

  static final FeaturesConfig EVERY_KIND = new FeaturesConfig(
      List.of(
          new NumericFeature("age", Impute.MEAN, Scale.STANDARD),
          new NumericFeature("income", Impute.MEDIAN, null, List.of(0.0, 200_000.0), Transform.LOG1P, Scale.STANDARD, null),
          new NumericFeature("visits", Impute.CONSTANT, 0.0, List.of(0.0, 30.0), Transform.LOG1P, Scale.NONE, null),
          new NumericFeature("balance", Impute.MEDIAN, null, null, null, null, 5)),
      List.of(new CategoricalFeature("color", 40, 5), new CategoricalFeature("plan")),
      List.of("member"),
      List.of(new HashedFeature("city", 32)),
      List.of(new TimestampFeature("seen_at", List.of(DatePart.DAY_OF_WEEK, DatePart.HOUR), "Europe/Paris"),
          new TimestampFeature("signup", List.of(DatePart.MONTH), null)),
      List.of(new CrossFeature(List.of("plan", "region"), 10, null)));

  /** Seeded rows with every kind of column, nulls where a feature must cope with them, and a 0/1 label. */
  static Dataset<Row> generate(SparkSession spark, int n, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    String[] colors = {"red", "blue", "green", "amber", "teal", "plum", "rare1", "rare2"};
    double[] colorShare = {0.3, 0.25, 0.15, 0.12, 0.09, 0.05, 0.03, 0.01};
    String[] plans = {"basic", "standard", "premium"};
    String[] regions = {"north", "south", "east", "west"};
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Integer age = rnd.nextDouble() < 0.05 ? null : 18 + rnd.nextInt(60);
      Double income = rnd.nextDouble() < 0.05 ? null : Math.exp(10 + rnd.nextDouble() * 2);
      Integer visits = rnd.nextDouble() < 0.1 ? null : rnd.nextInt(50);
      double balance = Math.round(rnd.nextDouble() * 10_000) / 100.0;
      String color = rnd.nextDouble() < 0.02 ? null : pick(rnd, colors, colorShare);
      String plan = plans[rnd.nextInt(plans.length)];
      String region = regions[rnd.nextInt(regions.length)];
      Boolean member = rnd.nextDouble() < 0.05 ? null : rnd.nextBoolean();
      String city = "city-" + rnd.nextInt(500);
      Timestamp seenAt = rnd.nextDouble() < 0.03 ? null : new Timestamp(1_790_000_000_000L + rnd.nextLong(90L * 86_400_000));
      Date signup = Date.valueOf(java.time.LocalDate.of(2020, 1, 1).plusDays(rnd.nextInt(1500)));
      double logit = -1 + 0.02 * (age == null ? 40 : age) - 0.3 * (visits == null ? 0 : Math.log1p(visits))
          + ("premium".equals(plan) ? -0.8 : 0) + (Boolean.TRUE.equals(member) ? -0.5 : 0) + balance / 100 * 0.01;
      int label = rnd.nextDouble() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
      rows.add(RowFactory.create("id-" + i, age, income, visits, balance, color, plan, region, member, city,
          seenAt, signup, label));
    }
    StructType schema = new StructType()
        .add("id", DataTypes.StringType).add("age", DataTypes.IntegerType).add("income", DataTypes.DoubleType)
        .add("visits", DataTypes.IntegerType).add("balance", DataTypes.DoubleType).add("color", DataTypes.StringType)
        .add("plan", DataTypes.StringType).add("region", DataTypes.StringType).add("member", DataTypes.BooleanType)
        .add("city", DataTypes.StringType).add("seen_at", DataTypes.TimestampType).add("signup", DataTypes.DateType)
        .add("churned", DataTypes.IntegerType);
    return TrainingFrames.withLabel(spark.createDataFrame(rows, schema), "churned");
  }

  private static String pick(SplittableRandom rnd, String[] values, double[] weights) {
    double u = rnd.nextDouble();
    double acc = 0;
    for (int i = 0; i < values.length; i++) {
      acc += weights[i];
      if (u < acc) {
        return values[i];
      }
    }
    return values[values.length - 1];
  }

  @Test
  void savedAndReloadedModelScoresTheTrainingRowsIdentically() throws IOException {
    Dataset<Row> rows = generate(spark, 2000, 7).cache();
    // Identity does not need a converged model, only a fitted one: few iterations keep it quick.
    ModelConfig logistic = new ModelConfig("m", ModelConfig.ModelType.LOGISTIC, 15, 0.01, 0.0, 1e-6, true, true, 0.5);
    PipelineModel trained = new ModelTrainer(EVERY_KIND, logistic).fit(rows).pipeline();
    String dir = tmp.resolve("model").toUri().toString();
    trained.write().save(dir);
    PipelineModel loaded = PipelineModel.load(dir);

    List<Row> atTraining = trained.transform(rows).orderBy("id")
        .select("id", FeaturePipeline.FEATURES, Columns.PROBABILITY).collectAsList();
    List<Row> atScoring = loaded.transform(rows).orderBy("id")
        .select("id", FeaturePipeline.FEATURES, Columns.PROBABILITY).collectAsList();
    List<Row> scored = new PipelineScorer(loaded, true, "m", "v1").score(rows, List.of("id"), List.of())
        .orderBy("id").select("id", Columns.SCORE).collectAsList();

    assertThat(atScoring).hasSize(2000);
    for (int i = 0; i < atTraining.size(); i++) {
      Vector trainFeatures = (Vector) atTraining.get(i).get(1);
      Vector scoreFeatures = (Vector) atScoring.get(i).get(1);
      assertThat(atScoring.get(i).getString(0)).isEqualTo(atTraining.get(i).getString(0));
      assertThat(scoreFeatures.toArray()).as("features of %s", atTraining.get(i).get(0)).isEqualTo(trainFeatures.toArray());
      double p = ((Vector) atTraining.get(i).get(2)).apply(1);
      assertThat(((Vector) atScoring.get(i).get(2)).apply(1)).isEqualTo(p);
      assertThat(scored.get(i).getDouble(1)).as("score of %s", scored.get(i).get(0)).isEqualTo(p);
    }

    // Every slot is named, and names and weights line up in the saved version too.
    int width = ((Vector) atScoring.get(0).get(1)).size();
    assertThat(FittedPlan.of(loaded, EVERY_KIND).slotNames()).hasSize(width).doesNotHaveDuplicates()
        .contains("log1p(income)", "log1p(visits)", "member", "color=__other__", "plan=premium",
            "seen_at.day_of_week=Mon", "seen_at.hour=__missing__", "signup.month=Dec", "plan×region=basic×north",
            "hash(city)[31]");
    assertThat(ModelCoefficients.of(loaded, EVERY_KIND).coefficients()).hasSize(width);
    // color: all but rare2 (~1%, ~20 rows) reach min_count 40; top_k 5 keeps the five most frequent.
    assertThat(FittedPlan.of(loaded, EVERY_KIND).slotNames().stream().filter(s -> s.startsWith("color=")))
        .containsExactly("color=red", "color=blue", "color=green", "color=amber", "color=teal", "color=__other__");
    rows.unpersist();
  }
}
