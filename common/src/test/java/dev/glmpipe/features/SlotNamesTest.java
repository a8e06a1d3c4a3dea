package dev.glmpipe.features;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.config.FeaturesConfig.CategoricalFeature;
import dev.glmpipe.config.FeaturesConfig.Impute;
import dev.glmpipe.config.FeaturesConfig.NumericFeature;
import dev.glmpipe.config.FeaturesConfig.Scale;
import dev.glmpipe.testing.SharedSpark;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The fitted plan's slot names and scaling, against the vectors the pipeline makes. */
class SlotNamesTest {
  private final SparkSession spark = SharedSpark.get();

  private static final FeaturesConfig SPEC = new FeaturesConfig(
      List.of(new NumericFeature("age", Impute.MEAN, Scale.STANDARD), new NumericFeature("visits", Impute.MEDIAN, Scale.NONE)),
      List.of(new CategoricalFeature("color")),
      List.of("member"), null, null, null);

  private Dataset<Row> rows() {
    return spark.sql("SELECT * FROM VALUES "
        + "(20, 1, 'red', true), (30, NULL, 'red', false), (NULL, 3, 'blue', NULL), (50, 5, 'green', true), (40, 7, 'red', true) "
        + "AS t(age, visits, color, member)");
  }

  private PipelineModel fit(Dataset<Row> rows) {
    return new Pipeline().setStages(FeaturePipeline.stages(SPEC, rows).toArray(PipelineStage[]::new)).fit(rows);
  }

  @Test
  void namesEverySlotOfTheVectorInOrder() {
    PipelineModel model = fit(rows());
    List<String> names = FittedPlan.of(model, SPEC).slotNames();
    Vector first = (Vector) model.transform(rows()).select(FeaturePipeline.FEATURES).first().get(0);

    assertThat(names).containsExactly("age", "visits", "member",
        "color=red", "color=blue", "color=green", "color=" + FittedPlan.OTHER);
    assertThat(first.size()).isEqualTo(names.size());
  }

  @Test
  void slotValuesFollowImputeScaleAndEncodeRules() {
    PipelineModel model = fit(rows());
    List<FittedPlan.Slot> slots = FittedPlan.of(model, SPEC).slots();
    List<Row> out = model.transform(rows()).select(FeaturePipeline.FEATURES).collectAsList();

    // age: mean of 20, 30, 50, 40 = 35 imputes the null; then standardized with the sample std.
    double mean = 35.0;
    double std = Math.sqrt(((15 * 15) + (5 * 5) + 0 + (15 * 15) + (5 * 5)) / 4.0);
    assertThat(slots.get(0).shift()).isEqualTo(mean, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(slots.get(0).scale()).isEqualTo(std, org.assertj.core.data.Offset.offset(1e-12));
    Vector third = (Vector) out.get(2).get(0);
    assertThat(third.apply(0)).isEqualTo(0.0, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(((Vector) out.get(0).get(0)).apply(0)).isEqualTo((20 - mean) / std, org.assertj.core.data.Offset.offset(1e-12));
    // visits: median of 1, 3, 5, 7 imputes row 2; null member reads as false.
    assertThat(((Vector) out.get(1).get(0)).apply(1)).isIn(3.0, 5.0);
    assertThat(third.apply(2)).isEqualTo(0.0);
    // color=blue for row 3.
    assertThat(third.apply(4)).isEqualTo(1.0);
  }

  @Test
  void unseenCategoryGoesToTheOtherSlotInsteadOfFailing() {
    PipelineModel model = fit(rows());
    Dataset<Row> unseen = spark.sql("SELECT 25 AS age, 2 AS visits, 'purple' AS color, true AS member");
    Vector v = (Vector) model.transform(unseen).select(FeaturePipeline.FEATURES).first().get(0);
    assertThat(v.apply(6)).isEqualTo(1.0);
    assertThat(v.apply(3) + v.apply(4) + v.apply(5)).isEqualTo(0.0);
  }

  @Test
  void aSpecThatDoesNotMatchTheModelIsRefusedRatherThanMislabelled() {
    PipelineModel model = fit(rows());
    FeaturesConfig changed = new FeaturesConfig(
        List.of(new NumericFeature("age", Impute.MEAN, Scale.NONE), new NumericFeature("visits", Impute.MEDIAN, Scale.NONE)),
        List.of(new CategoricalFeature("color")), List.of("member"), null, null, null);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> FittedPlan.of(model, changed).slotNames())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the feature spec does not match the fitted model");
  }
}
