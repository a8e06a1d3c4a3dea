package dev.glmpipe.features;

import static org.apache.spark.sql.functions.expr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.testing.SharedSpark;
import dev.glmpipe.testing.SparkJobs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.Bucketizer;
import org.apache.spark.ml.feature.FeatureHasher;
import org.apache.spark.ml.feature.Imputer;
import org.apache.spark.ml.feature.ImputerModel;
import org.apache.spark.ml.feature.MinMaxScaler;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.OneHotEncoderModel;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StandardScalerModel;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.SparseMatrix;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.ml.regression.LinearRegressionModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plan against the MLlib stages it was read from: every stage kind's parameters equal what
 * the stage's own getters return, reading again (or reading the same pipeline saved and loaded
 * back) gives an equal plan, and a stage the plan does not know keeps its class and uid.
 */
class FittedPlanTest {
  private final SparkSession spark = SharedSpark.get();

  @TempDir Path tmp;

  private Dataset<Row> rows() {
    return spark.range(300).select(expr("id"),
        expr("CASE WHEN id % 7 = 0 THEN NULL ELSE (id % 13) * 0.5D END").as("x"),
        expr("(id * 7 % 11) * 0.5D").as("y"),
        expr("element_at(array('a', 'b', 'c'), CAST(id % 3 AS INT) + 1)").as("c"),
        expr("element_at(array('p', 'q'), CAST(id % 2 AS INT) + 1)").as("d"),
        expr("CAST(((id % 13) + (id * 7 % 11)) % 3 AS DOUBLE)").as("cls"),
        expr("CAST(id % 13 > 5 AS DOUBLE)").as("label"));
  }

  /** One stage of every kind the plan reads, in both the single- and the multi-column form. */
  private static List<PipelineStage> everyStage() {
    return List.of(
        new SQLTransformer().setStatement("SELECT *, x * 2 AS x2 FROM __THIS__"),
        new Imputer().setInputCols(new String[] {"x", "x2"}).setOutputCols(new String[] {"xi", "x2i"}).setStrategy("median"),
        new Imputer().setInputCol("y").setOutputCol("yi").setMissingValue(0.0),
        new StringIndexer().setInputCols(new String[] {"c", "d"}).setOutputCols(new String[] {"ci", "di"}).setHandleInvalid("keep"),
        new StringIndexer().setInputCol("c").setOutputCol("ci2"),
        new OneHotEncoder().setInputCols(new String[] {"ci", "di"}).setOutputCols(new String[] {"co", "do"}).setHandleInvalid("keep"),
        new OneHotEncoder().setInputCol("ci2").setOutputCol("co2").setDropLast(false),
        new Bucketizer().setInputCols(new String[] {"yi"}).setOutputCols(new String[] {"yb"})
            .setSplitsArray(new double[][] {{Double.NEGATIVE_INFINITY, 1, 2.5, Double.POSITIVE_INFINITY}}),
        new Bucketizer().setInputCol("x2i").setOutputCol("xb").setSplits(new double[] {-1, 0, 5, 100}).setHandleInvalid("keep"),
        new FeatureHasher().setInputCols(new String[] {"c", "d"}).setCategoricalCols(new String[] {"c"}).setOutputCol("h").setNumFeatures(4),
        new VectorAssembler().setInputCols(new String[] {"xi", "x2i"}).setOutputCol("num").setHandleInvalid("keep"),
        new StandardScaler().setInputCol("num").setOutputCol("nums").setWithMean(true),
        new VectorAssembler().setInputCols(new String[] {"nums", "yb", "xb", "co", "do", "co2", "h"}).setOutputCol("features"));
  }

  private PipelineModel fit(List<PipelineStage> stages, Dataset<Row> rows) {
    return new Pipeline().setStages(stages.toArray(PipelineStage[]::new)).fit(rows);
  }

  /** The fitted feature stages, then {@code model} fitted on their output. */
  private static PipelineModel withModel(PipelineModel features, Dataset<Row> prepared, org.apache.spark.ml.Predictor<?, ?, ?> model) {
    List<Transformer> stages = new ArrayList<>(List.of(features.stages()));
    stages.add((Transformer) model.fit(prepared));
    return new PipelineModel("pipeline_" + stages.get(stages.size() - 1).uid(), stages.toArray(Transformer[]::new));
  }

  @Test
  void everyStageKindHoldsWhatItsMllibStageWasFittedTo() throws Exception {
    Dataset<Row> rows = rows().cache();
    PipelineModel features = fit(everyStage(), rows);
    Dataset<Row> prepared = features.transform(rows).cache();
    List<PipelineModel> models = new ArrayList<>();
    models.add(withModel(features, prepared, new LogisticRegression().setMaxIter(10).setThreshold(0.4)));
    models.add(withModel(features, prepared, new LogisticRegression().setMaxIter(10).setFamily("multinomial").setLabelCol("cls")));
    // A strong L1 penalty zeroes most weights, which MLlib then stores as a sparse matrix.
    models.add(withModel(features, prepared, new LogisticRegression().setMaxIter(10).setRegParam(0.3).setElasticNetParam(1.0)
        .setThresholds(new double[] {0.3, 0.7})));
    models.add(withModel(features, prepared, new LinearRegression().setMaxIter(10).setPredictionCol("p")));
    models.add(new PipelineModel("sparse_linear", new Transformer[] {
        new VectorAssembler().setInputCols(new String[] {"x", "y"}).setOutputCol("features"),
        new LinearRegressionModel("linReg_sparse", Vectors.sparse(2, new int[] {1}, new double[] {2.5}), 0.5, 1.0)}));
    models.add(fit(List.of(new VectorAssembler().setInputCols(new String[] {"id", "y"}).setOutputCol("v"),
        new MinMaxScaler().setInputCol("v").setOutputCol("scaled")), rows));

    Set<String> kinds = new HashSet<>();
    for (PipelineModel model : models) {
      FittedPlan plan = FittedPlan.of(model);
      assertThat(plan.stages()).hasSize(model.stages().length);
      for (int i = 0; i < model.stages().length; i++) {
        Transformer stage = model.stages()[i];
        FittedPlan.Stage read = plan.stages().get(i);
        assertThat(read.uid()).isEqualTo(stage.uid());
        assertThat(read.describe()).isEqualTo(stage.getClass().getSimpleName() + " " + stage.uid());
        assertSameParameters(stage, read);
        kinds.add(read.getClass().getSimpleName());
      }
      assertThat(plan.last()).isEqualTo(plan.stages().get(plan.stages().size() - 1));
      // Read again, and from the pipeline saved and loaded back (other objects, same values).
      assertThat(FittedPlan.of(model)).isEqualTo(plan).hasSameHashCodeAs(plan);
      String dir = tmp.resolve("model" + models.indexOf(model)).toUri().toString();
      model.write().save(dir);
      assertThat(FittedPlan.of(PipelineModel.load(dir))).isEqualTo(plan);
    }
    assertThat(kinds).containsExactlyInAnyOrder("SqlStatement", "Imputer", "Indexer", "OneHot", "Buckets", "Hasher",
        "Assembler", "Scaler", "Logistic", "Linear", "Unknown");
    prepared.unpersist();
    rows.unpersist();
  }

  private static void assertSameParameters(Transformer stage, FittedPlan.Stage read) {
    if (stage instanceof SQLTransformer s) {
      assertThat(((FittedPlan.SqlStatement) read).statement()).isEqualTo(s.getStatement());
    } else if (stage instanceof ImputerModel m) {
      FittedPlan.Imputer p = (FittedPlan.Imputer) read;
      String[] ins = m.isSet(m.inputCols()) ? m.getInputCols() : new String[] {m.getInputCol()};
      String[] outs = m.isSet(m.outputCols()) ? m.getOutputCols() : new String[] {m.getOutputCol()};
      assertThat(p.inputCols()).containsExactly(ins);
      assertThat(p.outputCols()).containsExactly(outs);
      assertThat(p.missingValue()).isEqualTo(Double.valueOf(m.getMissingValue()));  // boxed: NaN equals NaN
      Row surrogates = m.surrogateDF().first();
      for (int i = 0; i < ins.length; i++) {
        assertThat(p.surrogates().get(i)).isEqualTo(((Number) surrogates.getAs(ins[i])).doubleValue());
      }
    } else if (stage instanceof VectorAssembler a) {
      FittedPlan.Assembler p = (FittedPlan.Assembler) read;
      assertThat(p.inputCols()).containsExactly(a.getInputCols());
      assertThat(p.outputCol()).isEqualTo(a.getOutputCol());
      assertThat(p.handleInvalid()).isEqualTo(a.getHandleInvalid());
    } else if (stage instanceof StandardScalerModel s) {
      FittedPlan.Scaler p = (FittedPlan.Scaler) read;
      assertThat(p.inputCol()).isEqualTo(s.getInputCol());
      assertThat(p.outputCol()).isEqualTo(s.getOutputCol());
      assertThat(FittedPlan.doubles(p.mean())).containsExactly(s.mean().toArray());
      assertThat(FittedPlan.doubles(p.std())).containsExactly(s.std().toArray());
      assertThat(p.withMean()).isEqualTo(s.getWithMean()).isTrue();
      assertThat(p.withStd()).isEqualTo(s.getWithStd());
    } else if (stage instanceof Bucketizer b) {
      FittedPlan.Buckets p = (FittedPlan.Buckets) read;
      boolean multi = b.isSet(b.inputCols());
      assertThat(p.inputCols()).containsExactly(multi ? b.getInputCols() : new String[] {b.getInputCol()});
      assertThat(p.outputCols()).containsExactly(multi ? b.getOutputCols() : new String[] {b.getOutputCol()});
      double[][] splits = multi ? b.getSplitsArray() : new double[][] {b.getSplits()};
      assertThat(p.splits()).hasSize(splits.length);
      for (int i = 0; i < splits.length; i++) {
        assertThat(p.splitsOf(i)).containsExactly(splits[i]);
      }
      assertThat(p.handleInvalid()).isEqualTo(b.getHandleInvalid());
    } else if (stage instanceof StringIndexerModel s) {
      FittedPlan.Indexer p = (FittedPlan.Indexer) read;
      boolean multi = s.isSet(s.inputCols());
      assertThat(p.inputCols()).containsExactly(multi ? s.getInputCols() : new String[] {s.getInputCol()});
      assertThat(p.outputCols()).containsExactly(multi ? s.getOutputCols() : new String[] {s.getOutputCol()});
      assertThat(p.labels()).hasSize(s.labelsArray().length);
      for (int i = 0; i < s.labelsArray().length; i++) {
        assertThat(p.labelsOf(i)).containsExactly(s.labelsArray()[i]);
      }
      assertThat(p.handleInvalid()).isEqualTo(s.getHandleInvalid());
    } else if (stage instanceof OneHotEncoderModel o) {
      FittedPlan.OneHot p = (FittedPlan.OneHot) read;
      assertThat(p.inputCols()).containsExactly(o.isSet(o.inputCols()) ? o.getInputCols() : new String[] {o.getInputCol()});
      assertThat(p.outputCols()).containsExactly(o.isSet(o.outputCols()) ? o.getOutputCols() : new String[] {o.getOutputCol()});
      assertThat(p.categorySizes()).containsExactly(Arrays.stream(o.categorySizes()).boxed().toArray(Integer[]::new));
      assertThat(p.dropLast()).isEqualTo(o.getDropLast());
      assertThat(p.handleInvalid()).isEqualTo(o.getHandleInvalid());
    } else if (stage instanceof FeatureHasher h) {
      FittedPlan.Hasher p = (FittedPlan.Hasher) read;
      assertThat(p.inputCols()).containsExactly(h.getInputCols());
      assertThat(p.categoricalCols()).containsExactly(h.getCategoricalCols());
      assertThat(p.numFeatures()).isEqualTo(h.getNumFeatures());
      assertThat(p.outputCol()).isEqualTo(h.getOutputCol());
    } else if (stage instanceof LinearRegressionModel m) {
      FittedPlan.Linear p = (FittedPlan.Linear) read;
      assertThat(p.featuresCol()).isEqualTo(m.getFeaturesCol());
      assertThat(p.predictionCol()).isEqualTo(m.getPredictionCol());
      assertThat(FittedPlan.doubles(p.coefficients())).containsExactly(m.coefficients().toArray());
      assertThat(p.intercept()).isEqualTo(m.intercept());
      assertThat(p.sparse()).isEqualTo(m.coefficients() instanceof SparseVector);
      assertThat(p.coefficientRows()).containsExactly(p.coefficients());
      assertThat(p.intercepts()).containsExactly(p.intercept());
    } else if (stage instanceof LogisticRegressionModel m) {
      FittedPlan.Logistic p = (FittedPlan.Logistic) read;
      assertThat(p.featuresCol()).isEqualTo(m.getFeaturesCol());
      assertThat(p.predictionCol()).isEqualTo(m.getPredictionCol());
      assertThat(p.probabilityCol()).isEqualTo(m.getProbabilityCol());
      assertThat(p.numClasses()).isEqualTo(m.numClasses());
      Matrix w = m.coefficientMatrix();
      assertThat(p.coefficientRows()).hasSize(w.numRows());
      for (int k = 0; k < w.numRows(); k++) {
        for (int j = 0; j < w.numCols(); j++) {
          assertThat(p.coefficientRows().get(k).get(j)).isEqualTo(w.apply(k, j));
        }
      }
      assertThat(FittedPlan.doubles(p.intercepts())).containsExactly(m.interceptVector().toArray());
      assertThat(p.sparse()).isEqualTo(w instanceof SparseMatrix);
      assertThat(p.perClassThresholds()).isEqualTo(m.isDefined(m.thresholds()));
      if (w.numRows() == 1) {
        assertThat(FittedPlan.doubles(p.coefficients())).containsExactly(m.coefficients().toArray());
        assertThat(p.intercept()).isEqualTo(m.intercept());
        assertThat(p.threshold()).isEqualTo(m.getThreshold());
      } else {
        assertThatThrownBy(p::coefficients).hasMessageContaining("use coefficientMatrix instead");
        assertThat(p.threshold()).isNaN();
      }
    } else {
      assertThat(read).isEqualTo(new FittedPlan.Unknown(stage.uid(), stage.getClass().getSimpleName()));
    }
  }

  @Test
  void thePlanOfAFeaturePipelineNamesItsSlotsWithoutASparkJob() {
    Dataset<Row> rows = TrainServeIdentityTest.generate(spark, 400, 3);
    FeaturesConfig spec = TrainServeIdentityTest.EVERY_KIND;
    PipelineModel model = new Pipeline().setStages(FeaturePipeline.stages(spec, rows).toArray(PipelineStage[]::new)).fit(rows);

    FittedPlan[] plan = new FittedPlan[1];
    // FeaturePipeline's imputers hold their surrogates on the driver, as the registry's loaded ones do.
    assertThat(SparkJobs.startedBy(spark, () -> plan[0] = FittedPlan.of(model, spec))).isZero();
    assertThat(plan[0].slotNames()).hasSize(plan[0].slots().size()).doesNotHaveDuplicates();
    org.apache.spark.ml.linalg.Vector first = (org.apache.spark.ml.linalg.Vector) model.transform(rows)
        .select(FeaturePipeline.FEATURES).first().get(0);
    assertThat(plan[0].slots()).hasSize(first.size());
    assertThat(FittedPlan.of(model, spec)).isEqualTo(plan[0]);
    // The same stages, read without the spec, have no slot names.
    assertThat(FittedPlan.of(model).stages()).isEqualTo(plan[0].stages());
    assertThatThrownBy(() -> FittedPlan.of(model).slots()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("without its feature spec");
    assertThat(plan[0].surrogates()).hasSize((int) spec.numeric().stream()
        .filter(n -> n.impute() != FeaturesConfig.Impute.CONSTANT).count());
    assertThatThrownBy(() -> plan[0].first(FittedPlan.Linear.class)).isInstanceOf(IllegalStateException.class)
        .hasMessage("fitted pipeline has no LinearRegressionModel");
  }
}
