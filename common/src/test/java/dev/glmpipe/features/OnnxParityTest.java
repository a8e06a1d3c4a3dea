package dev.glmpipe.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glmpipe.Columns;
import dev.glmpipe.GlmpipeException;
import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.config.FeaturesConfig.DatePart;
import dev.glmpipe.config.FeaturesConfig.HashedFeature;
import dev.glmpipe.config.FeaturesConfig.TimestampFeature;
import dev.glmpipe.config.ModelConfig;
import dev.glmpipe.evaluate.HoldoutEvaluator;
import dev.glmpipe.export.OnnxExport;
import dev.glmpipe.export.OnnxParity;
import dev.glmpipe.testing.SharedSpark;
import dev.glmpipe.train.ModelTrainer;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

/**
 * The ONNX export (fitted preprocessing + linear model in one graph) scores rows it never saw,
 * nulls included, like Spark does, within 1e-6, run by ONNX Runtime; and what ONNX cannot
 * express fails naming the key. (In this package to reuse {@link TrainServeIdentityTest}'s
 * generator of every column kind.)
 */
class OnnxParityTest {
  private final SparkSession spark = SharedSpark.get();

  /** Every kind ONNX can express: no hashing, calendar parts in UTC. */
  static final FeaturesConfig EXPORTABLE = new FeaturesConfig(
      TrainServeIdentityTest.EVERY_KIND.numeric(),
      TrainServeIdentityTest.EVERY_KIND.categorical(),
      TrainServeIdentityTest.EVERY_KIND.booleanColumns(),
      null,
      List.of(new TimestampFeature("seen_at", List.of(DatePart.DAY_OF_WEEK, DatePart.HOUR), "UTC"),
          new TimestampFeature("signup", List.of(DatePart.MONTH), null)),
      TrainServeIdentityTest.EVERY_KIND.crosses());

  @Test
  void logisticAndLinearExportsReproduceSparksScores() {
    Dataset<Row> training = TrainServeIdentityTest.generate(spark, 1200, 11).cache();
    Dataset<Row> unseen = TrainServeIdentityTest.generate(spark, 600, 12).cache();
    for (ModelConfig.ModelType type : ModelConfig.ModelType.values()) {
      ModelConfig config = new ModelConfig("m", type, 10, 0.01, 0.0, 1e-6, true, true, 0.5);
      PipelineModel model = new ModelTrainer(EXPORTABLE, config).fit(training).pipeline();
      OnnxExport.Result onnx = OnnxExport.build(model, EXPORTABLE, "m", "v1");
      assertThat(onnx.inputs()).extracting(OnnxExport.Input::name)
          .containsExactlyInAnyOrder("age", "income", "visits", "balance", "color", "plan", "region", "member", "seen_at", "signup");
      List<Row> rows = scored(model, onnx, unseen, type == ModelConfig.ModelType.LOGISTIC);
      // Nulls reach the graph: missing numbers, a missing category, a missing timestamp.
      assertThat(rows).anyMatch(r -> r.isNullAt(r.fieldIndex("age"))).anyMatch(r -> r.isNullAt(r.fieldIndex("color")))
          .anyMatch(r -> r.isNullAt(r.fieldIndex("seen_at")));
      OnnxParity.Report report = OnnxParity.check(onnx, rows, "spark_score", 1e-6);
      assertThat(report.rows()).isEqualTo(600);
      assertThat(report.maxAbsDiff()).as(type.name()).isLessThanOrEqualTo(1e-6);
    }
  }

  @Test
  void aModelThatDoesNotMatchItsGraphFailsTheCheck() {
    Dataset<Row> training = TrainServeIdentityTest.generate(spark, 800, 13).cache();
    ModelConfig a = new ModelConfig("m", ModelConfig.ModelType.LOGISTIC, 10, 0.01, 0.0, 1e-6, true, true, 0.5);
    ModelConfig b = new ModelConfig("m", ModelConfig.ModelType.LOGISTIC, 10, 1.0, 0.0, 1e-6, true, true, 0.5);
    PipelineModel modelA = new ModelTrainer(EXPORTABLE, a).fit(training).pipeline();
    PipelineModel modelB = new ModelTrainer(EXPORTABLE, b).fit(training).pipeline();
    OnnxExport.Result onnxOfA = OnnxExport.build(modelA, EXPORTABLE, "m", "v1");
    List<Row> scoredByB = scored(modelB, onnxOfA, training.limit(200), true);
    assertThatThrownBy(() -> OnnxParity.check(onnxOfA, scoredByB, "spark_score", 1e-6))
        .isInstanceOf(GlmpipeException.class)
        .hasMessageContaining("does not reproduce Spark's scores")
        .satisfies(e -> assertThat(((GlmpipeException) e).exitCode()).isEqualTo(GlmpipeException.EXIT_MODEL_REJECTED));
  }

  @Test
  void whatOnnxCannotExpressFailsNamingTheKey() {
    Dataset<Row> training = TrainServeIdentityTest.generate(spark, 800, 14).cache();
    ModelConfig config = new ModelConfig("m", ModelConfig.ModelType.LOGISTIC, 2, 0.01, 0.0, 1e-6, true, true, 0.5);
    FeaturesConfig hashed = new FeaturesConfig(EXPORTABLE.numeric(), null, null, List.of(new HashedFeature("city", 16)), null, null);
    PipelineModel hashedModel = new ModelTrainer(hashed, config).fit(training).pipeline();
    assertThatThrownBy(() -> OnnxExport.build(hashedModel, hashed, "m", "v1"))
        .isInstanceOf(GlmpipeException.class).hasMessageContaining("features.hashed[0] (city)").hasMessageContaining("FeatureHasher");
    FeaturesConfig paris = new FeaturesConfig(EXPORTABLE.numeric(), null, null, null,
        List.of(new TimestampFeature("seen_at", List.of(DatePart.HOUR), "Europe/Paris")), null);
    PipelineModel parisModel = new ModelTrainer(paris, config).fit(training).pipeline();
    assertThatThrownBy(() -> OnnxExport.build(parisModel, paris, "m", "v1"))
        .isInstanceOf(GlmpipeException.class).hasMessageContaining("features.timestamp[0].time_zone (Europe/Paris)");
  }

  private static List<Row> scored(PipelineModel model, OnnxExport.Result onnx, Dataset<Row> rows, boolean logistic) {
    List<Column> columns = new ArrayList<>();
    onnx.inputs().forEach(i -> columns.add(functions.col(i.name())));
    columns.add((logistic ? HoldoutEvaluator.score() : functions.col(Columns.PREDICTION)).as("spark_score"));
    return model.transform(rows).select(columns.toArray(Column[]::new)).collectAsList();
  }
}
