package dev.glmpipe.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glmpipe.testing.SharedSpark;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.OneHotEncoderModel;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * A StringIndexer followed by a OneHotEncoder, which the compiler folds into one lookup from the
 * string to its hot slot, against MLlib in every combination of the two stages' {@code
 * handleInvalid} and {@code dropLast}. Each value (every label, an unseen one, null) is scored
 * alone: where MLlib scores it the compiled scorer must give the same, and where MLlib fails the
 * row so must the compiled scorer. An encoder sized otherwise than the indexer's output MLlib
 * refuses outright; the compiled scorer then leaves the pipeline to MLlib.
 */
class CompiledOneHotTest {
  private static final String[] LABELS = {"a", "b", "c", "d", "e"};
  private static final String[] VALUES = {"a", "b", "c", "d", "e", "unseen", null};

  private final SparkSession spark = SharedSpark.get();

  @Test
  void anIndexedOneHotScoresAsMllibInEveryMode() {
    StructType schema = new StructType().add("id", DataTypes.StringType).add("c", DataTypes.StringType);
    int combinations = 0;
    int failing = 0;
    for (String indexerMode : List.of("keep", "error")) {
      for (String encoderMode : List.of("keep", "error")) {
        for (boolean dropLast : List.of(true, false)) {
          for (int size = LABELS.length - 1; size <= LABELS.length + 1; size++) {
            String combination = "indexer " + indexerMode + ", encoder " + encoderMode + " size " + size + " dropLast " + dropLast;
            PipelineModel model = model(indexerMode, encoderMode, dropLast, size);
            if (size != (indexerMode.equals("keep") ? LABELS.length + 1 : LABELS.length)) {
              Dataset<Row> all = spark.createDataFrame(Arrays.stream(VALUES).map(v -> RowFactory.create("id-" + v, v)).toList(), schema);
              PipelineScorer scorer = new PipelineScorer(model, "m", "v", PipelineScorer.Engine.COMPILED).forInput(all);
              assertThat(scorer.engine()).as(combination).isEqualTo(PipelineScorer.Engine.MLLIB);
              assertThat(scorer.fallbackReason()).hasValueSatisfying(r -> assertThat(r).startsWith("OneHotEncoderModel"));
              assertThat(mllibFails(scorer, all)).as(combination).isTrue();
              continue;
            }
            List<Row> scored = new ArrayList<>();
            for (String value : VALUES) {
              Dataset<Row> one = spark.createDataFrame(List.of(RowFactory.create("id-" + value, value)), schema);
              PipelineScorer scorer = new PipelineScorer(model, "m", "v", PipelineScorer.Engine.COMPILED).forInput(one);
              assertThat(scorer.engine()).as(combination).isEqualTo(PipelineScorer.Engine.COMPILED);
              if (mllibFails(scorer, one)) {
                failing++;
                assertThatThrownBy(() -> scorer.predictions(one, PipelineScorer.Engine.COMPILED).collectAsList())
                    .as("%s, value %s: MLlib fails the row", combination, value).isNotNull();
              } else {
                scored.add(one.first());
              }
            }
            Dataset<Row> rows = spark.createDataFrame(scored, schema);
            PipelineScorer scorer = new PipelineScorer(model, "m", "v", PipelineScorer.Engine.COMPILED).forInput(rows);
            ParityCheck.Result parity = ParityCheck.run(spark, scorer, rows, 100, List.of("id"));
            assertThat(parity.mismatch()).as(combination).isNull();
            assertThat(parity.rows()).isEqualTo(scored.size());
            combinations++;
          }
        }
      }
    }
    assertThat(combinations).isEqualTo(8);
    // Both the valid and the failing paths were exercised.
    assertThat(failing).isBetween(1, combinations * VALUES.length - 1);
  }

  private static boolean mllibFails(PipelineScorer scorer, Dataset<Row> one) {
    try {
      scorer.predictions(one, PipelineScorer.Engine.MLLIB).collectAsList();
      return false;
    } catch (Exception e) {  // SparkException included, which Scala throws undeclared
      return true;
    }
  }

  /** Indexer, encoder and a binomial model whose weights tell every slot apart. */
  private static PipelineModel model(String indexerMode, String encoderMode, boolean dropLast, int size) {
    StringIndexerModel indexer = new StringIndexerModel(new String[][] {LABELS})
        .setInputCols(new String[] {"c"}).setOutputCols(new String[] {"ci"}).setHandleInvalid(indexerMode);
    OneHotEncoderModel encoder = new OneHotEncoderModel("ohe", new int[] {size})
        .setInputCols(new String[] {"ci"}).setOutputCols(new String[] {"co"})
        .setHandleInvalid(encoderMode).setDropLast(dropLast);
    // MLlib's vector: size categories, one more for invalid values with keep, the last dropped.
    int width = size + (encoderMode.equals("keep") ? 1 : 0) - (dropLast ? 1 : 0);
    double[] w = new double[width];
    Arrays.setAll(w, i -> 0.25 * (i + 1));
    LogisticRegressionModel lr = new LogisticRegressionModel("lr", Vectors.dense(w), -0.5);
    lr.setFeaturesCol("co");
    return new PipelineModel("pipeline", List.<Transformer>of(indexer, encoder, lr));
  }
}
