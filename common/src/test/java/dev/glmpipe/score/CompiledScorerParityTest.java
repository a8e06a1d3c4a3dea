package dev.glmpipe.score;

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
import dev.glmpipe.features.FeaturePipeline;
import dev.glmpipe.testing.SharedSpark;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * The compiled scorer against MLlib's own {@code PipelineModel.transform} over many randomly
 * drawn feature specs and models (binomial, multinomial, linear), fitted on one random data set
 * and scored on another that has what training never saw: unseen and null levels, values beyond
 * the bucket bounds, NaN and infinities, -0.0 next to 0.0 splits, null timestamps.
 */
public class CompiledScorerParityTest {
  private static final int PIPELINES = 8;
  private static final String[] NUMERIC = {"n0", "n1", "n2", "n3", "n4"};

  private final SparkSession spark = SharedSpark.get();

  @Test
  void compiledScoresEqualMllibOnRandomPipelines() {
    for (int seed = 1; seed <= PIPELINES; seed++) {
      SplittableRandom rnd = new SplittableRandom(seed * 7919L);
      FeaturesConfig spec = randomSpec(rnd);
      int family = seed % 3;  // 0 binomial, 1 multinomial, 2 linear
      Dataset<Row> train = generate(spark, rnd, spec, 800, false, family);
      PipelineModel model = fit(spec, train, family, rnd);
      Dataset<Row> test = generate(spark, rnd, spec, 800, true, family);

      PipelineScorer scorer = new PipelineScorer(model, "m", "v", PipelineScorer.Engine.COMPILED).forInput(test);
      assertThat(scorer.engine()).as("spec %s", spec).isEqualTo(PipelineScorer.Engine.COMPILED);
      ParityCheck.Result parity = ParityCheck.run(spark, scorer, test, 10_000, List.of("id"));
      assertThat(parity.rows()).isEqualTo(800);
      assertThat(parity.mismatch()).as("seed %d, spec %s", seed, spec).isNull();
      assertThat(parity.maxDifference()).isLessThanOrEqualTo(ParityCheck.TOLERANCE);
    }
  }

  @Test
  void aPipelineWithAHashedColumnFallsBackToMllibNamingTheStage() {
    SplittableRandom rnd = new SplittableRandom(3);
    FeaturesConfig spec = new FeaturesConfig(List.of(new NumericFeature("n0", Impute.MEAN, Scale.STANDARD)),
        null, null, List.of(new HashedFeature("c0", 16)), null, null);
    Dataset<Row> train = generate(spark, rnd, spec, 500, false, 0);
    PipelineModel model = fit(spec, train, 0, rnd);
    PipelineScorer scorer = new PipelineScorer(model, "m", "v", PipelineScorer.Engine.COMPILED).forInput(train);
    assertThat(scorer.engine()).isEqualTo(PipelineScorer.Engine.MLLIB);
    assertThat(scorer.fallbackReason()).hasValueSatisfying(r -> assertThat(r).startsWith("FeatureHasher"));
    // The MLlib engine scores as before.
    assertThat(scorer.score(train, List.of("id"), List.of()).where("score IS NULL").count()).isZero();
  }

  public static FeaturesConfig randomSpec(SplittableRandom rnd) {
    List<NumericFeature> numeric = new ArrayList<>();
    for (String c : NUMERIC) {
      if (rnd.nextInt(5) == 0) {
        continue;
      }
      Impute impute = Impute.values()[rnd.nextInt(3)];
      Double value = impute == Impute.CONSTANT ? (double) rnd.nextInt(5) : null;
      List<Double> clip = rnd.nextBoolean() ? List.of(0.0, 50.0 + rnd.nextInt(100)) : null;
      Transform transform = rnd.nextInt(3) == 0 ? Transform.LOG1P : Transform.NONE;
      Integer buckets = rnd.nextInt(3) == 0 ? 2 + rnd.nextInt(8) : null;
      Scale scale = buckets == null && rnd.nextBoolean() ? Scale.STANDARD : Scale.NONE;
      numeric.add(new NumericFeature(c, impute, value, clip, transform, scale, buckets));
    }
    List<CategoricalFeature> categorical = new ArrayList<>();
    if (rnd.nextInt(4) > 0) {
      categorical.add(new CategoricalFeature("c0", 1 + rnd.nextInt(30), 3 + rnd.nextInt(40)));
    }
    if (rnd.nextBoolean()) {
      categorical.add(new CategoricalFeature("c1"));
    }
    List<String> booleans = rnd.nextBoolean() ? List.of("b0") : List.of();
    List<TimestampFeature> timestamps = rnd.nextBoolean()
        ? List.of(new TimestampFeature("t0", List.of(DatePart.values()[rnd.nextInt(3)]), rnd.nextBoolean() ? "UTC" : "America/New_York"))
        : List.of();
    List<CrossFeature> crosses = rnd.nextInt(3) == 0 ? List.of(new CrossFeature(List.of("c1", "b0"), 5, null)) : List.of();
    if (numeric.isEmpty() && categorical.isEmpty()) {
      numeric.add(new NumericFeature("n0", Impute.MEAN, Scale.STANDARD));
    }
    return new FeaturesConfig(numeric, categorical, booleans, null, timestamps, crosses);
  }

  public static PipelineModel fit(FeaturesConfig spec, Dataset<Row> rows, int family, SplittableRandom rnd) {
    List<PipelineStage> stages = new ArrayList<>(FeaturePipeline.stages(spec, rows));
    double reg = rnd.nextBoolean() ? 0.0 : 0.01;
    if (family == 2) {
      stages.add(new LinearRegression().setFeaturesCol(FeaturePipeline.FEATURES).setLabelCol(Columns.LABEL)
          .setMaxIter(10).setRegParam(reg).setElasticNetParam(rnd.nextBoolean() ? 0.0 : 0.5));
    } else {
      stages.add(new LogisticRegression().setFeaturesCol(FeaturePipeline.FEATURES).setLabelCol(Columns.LABEL)
          .setFamily(family == 0 ? "binomial" : "multinomial").setMaxIter(10).setRegParam(reg)
          .setElasticNetParam(rnd.nextBoolean() ? 0.0 : 0.5).setThreshold(0.3 + rnd.nextDouble() * 0.4));
    }
    return new Pipeline().setStages(stages.toArray(PipelineStage[]::new)).fit(rows);
  }

  /**
   * Rows for {@code spec}. Scoring rows ({@code wild}) widen every range and add what training
   * never saw. NaN goes only where the spec imputes it (a NaN MLlib's assembler meets fails the
   * row in both engines alike, which is not what this test compares).
   */
  public static Dataset<Row> generate(SparkSession spark, SplittableRandom rnd, FeaturesConfig spec, int n, boolean wild, int family) {
    String[] levels = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r",
        "s", "t", "u", "v", "w", "x", "y", "z"};
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Object[] v = new Object[12];
      v[0] = "id-" + i;
      double signal = 0;
      for (int j = 0; j < NUMERIC.length; j++) {
        NumericFeature f = numericSpec(spec, NUMERIC[j]);
        boolean constant = f != null && f.impute() == Impute.CONSTANT;
        double u = rnd.nextDouble();
        Double x;
        if (u < 0.05) {
          x = null;
        } else if (u < 0.15) {
          x = rnd.nextBoolean() ? 0.0 : (constant ? 0.0 : -0.0);
        } else if (wild && !constant && u < 0.17) {
          x = new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}[rnd.nextInt(3)];
        } else {
          double scale = wild ? 300 : 100;
          x = Math.round(rnd.nextDouble() * scale * (constant ? 1 : (rnd.nextInt(10) == 0 ? -1 : 1)) * 100) / 100.0;
        }
        v[1 + j] = x;
        signal += x == null || x.isNaN() || x.isInfinite() ? 0 : x / 100 * (j - 2);
      }
      int levelCount = wild ? levels.length : 20;
      v[6] = rnd.nextDouble() < 0.03 ? null : levels[(int) Math.min(levelCount - 1, Math.abs(rnd.nextGaussian()) * 6)];
      v[7] = rnd.nextDouble() < 0.03 ? null : (wild && rnd.nextInt(20) == 0 ? "new" : levels[rnd.nextInt(4)]);
      v[8] = rnd.nextDouble() < 0.05 ? null : rnd.nextBoolean();
      v[9] = rnd.nextDouble() < 0.05 ? null : new Timestamp(1_790_000_000_000L + rnd.nextLong(400L * 86_400_000));
      signal += "a".equals(v[6]) ? 1 : 0;
      double p = 1 / (1 + Math.exp(-signal));
      v[10] = family == 0 ? (rnd.nextDouble() < p ? 1.0 : 0.0)
          : family == 1 ? (double) (rnd.nextDouble() < p ? rnd.nextInt(2) : 2)
          : signal * 10 + rnd.nextGaussian();
      v[11] = 0;
      rows.add(RowFactory.create(v));
    }
    StructType schema = new StructType().add("id", DataTypes.StringType);
    for (String c : NUMERIC) {
      schema = schema.add(c, DataTypes.DoubleType);
    }
    schema = schema.add("c0", DataTypes.StringType).add("c1", DataTypes.StringType).add("b0", DataTypes.BooleanType)
        .add("t0", DataTypes.TimestampType).add(Columns.LABEL, DataTypes.DoubleType).add("pad", DataTypes.IntegerType);
    return spark.createDataFrame(rows, schema);
  }

  private static NumericFeature numericSpec(FeaturesConfig spec, String column) {
    return spec.numericOrEmpty().stream().filter(f -> f.column().equals(column)).findFirst().orElse(null);
  }
}
