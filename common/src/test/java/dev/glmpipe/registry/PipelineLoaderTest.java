package dev.glmpipe.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.apache.spark.sql.functions.expr;

import dev.glmpipe.testing.SharedSpark;
import dev.glmpipe.testing.SparkJobs;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.Path;
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
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.OneHotEncoderModel;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StandardScalerModel;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.ml.regression.LinearRegressionModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The loader against MLlib's own {@code PipelineModel.load}, on saved pipelines of every stage class glmpipe writes. */
class PipelineLoaderTest {
  private final SparkSession spark = SharedSpark.get();

  @Test
  void loadsTheSameStagesAsPipelineModelLoad() throws Exception {
    Dataset<Row> rows = spark.range(300).select(expr("id"),
        expr("CASE WHEN id % 7 = 0 THEN NULL ELSE (id % 13) * 0.5D END").as("x"),
        expr("element_at(array('a', 'b', 'c'), CAST(id % 3 AS INT) + 1)").as("c"),
        expr("CAST(id % 13 > 5 AS DOUBLE)").as("label"));
    // Fifteen stages, so directory names carry a zero-padded two-digit index ("00_sql_…").
    List<PipelineStage> stages = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      stages.add(new SQLTransformer().setStatement("SELECT *, x + " + i + " AS s" + i + " FROM __THIS__"));
    }
    stages.add(new Imputer().setInputCols(new String[] {"x"}).setOutputCols(new String[] {"xi"}));
    stages.add(new StringIndexer().setInputCol("c").setOutputCol("ci"));
    stages.add(new OneHotEncoder().setInputCols(new String[] {"ci"}).setOutputCols(new String[] {"co"}));
    stages.add(new VectorAssembler().setInputCols(new String[] {"xi", "co"}).setOutputCol("f"));
    stages.add(new StandardScaler().setInputCol("f").setOutputCol("fs"));
    stages.add(new LogisticRegression().setFeaturesCol("fs").setMaxIter(20));
    PipelineModel fitted = new Pipeline().setStages(stages.toArray(PipelineStage[]::new)).fit(rows);
    String dir = Files.createTempDirectory("glmpipe-loader").resolve("model").toUri().toString();
    fitted.write().save(dir);

    PipelineModel reference = PipelineModel.load(dir);
    PipelineModel loaded = loadedLikeMllib(dir, reference, rows, "probability");
    assertThat(loaded.stages()).hasSize(15);

    // The imputer's surrogates are held on the driver: transforming runs no Spark job for them.
    ImputerModel imputer = (ImputerModel) loaded.stages()[9];
    assertThat(imputer.surrogateDF().collectAsList())
        .isEqualTo(((ImputerModel) reference.stages()[9]).surrogateDF().collectAsList());
    assertThat(imputer.surrogateDF().queryExecution().optimizedPlan())
        .isInstanceOf(org.apache.spark.sql.catalyst.plans.logical.LocalRelation.class);
    Dataset<Row> local = spark.createDataFrame(rows.limit(20).collectAsList(), rows.schema());
    assertThat(SparkJobs.startedBy(spark, () -> imputer.transform(local).collectAsList())).isZero();
    // MLlib's own (read once per model object, so a freshly loaded one) runs a job to read them,
    // up to Spark 4.0; from 4.1 MLlib holds them on the driver as well.
    ImputerModel stored = (ImputerModel) PipelineModel.load(dir).stages()[9];
    int storedJobs = SparkJobs.startedBy(spark, () -> stored.transform(local).collectAsList());
    if (dev.glmpipe.spark.ImputerModels.surrogatesInFrame()) {
      assertThat(storedJobs).isPositive();
    } else {
      assertThat(storedJobs).isZero();
    }
  }

  /**
   * Every other stage class glmpipe saves, and the models' other shapes: multinomial and sparse
   * coefficients (a strong L1 penalty zeroes most), and linear regression.
   */
  @Test
  void readsEveryStageClassAndModelShapeOnTheDriver() throws Exception {
    Dataset<Row> rows = spark.range(400).select(expr("id"),
        expr("(id % 17) * 0.25D").as("x"), expr("(id * 7 % 11) * 1.5D").as("y"),
        expr("element_at(array('a', 'b', 'c'), CAST(id % 3 AS INT) + 1)").as("c"),
        expr("CAST(((id % 17) + (id * 7 % 11)) % 3 AS DOUBLE)").as("label"));
    PipelineStage[] features = {
        new Bucketizer().setInputCol("x").setOutputCol("xb").setSplits(new double[] {Double.NEGATIVE_INFINITY, 1, 2.5, Double.POSITIVE_INFINITY}),
        new FeatureHasher().setInputCols(new String[] {"c"}).setOutputCol("h").setNumFeatures(2),
        new VectorAssembler().setInputCols(new String[] {"xb", "y", "h"}).setOutputCol("features")};
    PipelineStage[] estimators = {
        new LogisticRegression().setMaxIter(30).setFamily("multinomial"),
        new LogisticRegression().setMaxIter(30).setFamily("multinomial").setRegParam(0.3).setElasticNetParam(1.0),
        new LogisticRegression().setMaxIter(30).setRegParam(0.3).setElasticNetParam(1.0),
        new LinearRegression().setMaxIter(30),
        new LinearRegression().setMaxIter(30).setRegParam(1.0).setElasticNetParam(1.0)};
    List<String> coefficientKinds = new ArrayList<>();
    for (PipelineStage estimator : estimators) {
      Dataset<Row> training = estimator instanceof LogisticRegression lr && !"multinomial".equals(lr.getFamily())
          ? rows.withColumn("label", expr("CAST(label > 0 AS DOUBLE)")) : rows;
      List<PipelineStage> stages = new ArrayList<>(List.of(features));
      stages.add(estimator);
      PipelineModel fitted = new Pipeline().setStages(stages.toArray(PipelineStage[]::new)).fit(training);
      String dir = Files.createTempDirectory("glmpipe-loader").resolve("model").toUri().toString();
      fitted.write().save(dir);
      PipelineModel loaded = loadedLikeMllib(dir, PipelineModel.load(dir), training, "prediction");
      coefficientKinds.add(coefficientKind(loaded.stages()[3]));
    }
    // MLlib's linear regression keeps its coefficients dense: a sparse one, made by hand.
    PipelineModel sparseLinear = new PipelineModel("pipeline_sparse", new Transformer[] {(Transformer) features[2],
        new LinearRegressionModel("linReg_sparse", Vectors.sparse(4, new int[] {1, 3}, new double[] {2.5, -1}), 0.5, 1.0)});
    String dir = Files.createTempDirectory("glmpipe-loader").resolve("model").toUri().toString();
    sparseLinear.write().save(dir);
    Dataset<Row> hashedAndBucketed = ((Transformer) features[0]).transform(((Transformer) features[1]).transform(rows));
    coefficientKinds.add(coefficientKind(loadedLikeMllib(dir, PipelineModel.load(dir), hashedAndBucketed, "prediction").stages()[1]));
    // Both storage forms of coefficients were read (MLlib stores whichever is smaller).
    assertThat(coefficientKinds).contains("DenseMatrix", "SparseMatrix", "DenseVector", "SparseVector");
  }

  private static String coefficientKind(Transformer model) {
    return model instanceof LogisticRegressionModel lr ? lr.coefficientMatrix().getClass().getSimpleName()
        : ((LinearRegressionModel) model).coefficients().getClass().getSimpleName();
  }

  /**
   * Loads {@code dir} with {@link PipelineLoader} and checks it against MLlib's own load: same
   * uid, stage classes, uids, params and fitted data, and the same output on {@code rows}; and
   * that loading ran no Spark job.
   */
  private PipelineModel loadedLikeMllib(String dir, PipelineModel reference, Dataset<Row> rows, String output)
      throws Exception {
    PipelineModel[] loaded = new PipelineModel[1];
    assertThat(SparkJobs.startedBy(spark, () -> loaded[0] = PipelineLoader.load(spark.sparkContext().hadoopConfiguration(), new Path(dir))))
        .as("Spark jobs run to load the model").isZero();
    assertThat(loaded[0].uid()).isEqualTo(reference.uid());
    assertThat(describe(loaded[0].stages())).isEqualTo(describe(reference.stages()));
    assertThat(loaded[0].stages()).extracting(PipelineLoaderTest::fittedData)
        .isEqualTo(java.util.Arrays.stream(reference.stages()).map(PipelineLoaderTest::fittedData).toList());
    assertThat(scores(loaded[0], rows, output)).isEqualTo(scores(reference, rows, output));
    return loaded[0];
  }

  /** What a stage was fitted to, spelled out (the storage form of matrices and vectors included). */
  private static String fittedData(Transformer s) {
    if (s instanceof LogisticRegressionModel m) {
      return m.coefficientMatrix().getClass().getSimpleName() + java.util.Arrays.toString(m.coefficientMatrix().toArray())
          + " transposed=" + m.coefficientMatrix().isTransposed() + " " + m.interceptVector() + " " + m.numClasses();
    }
    if (s instanceof LinearRegressionModel m) {
      return m.coefficients() + " " + m.coefficients().getClass().getSimpleName() + " " + m.intercept() + " " + m.scale();
    }
    if (s instanceof StandardScalerModel m) {
      return m.std() + " " + m.mean();
    }
    if (s instanceof StringIndexerModel m) {
      return java.util.Arrays.deepToString(m.labelsArray());
    }
    if (s instanceof OneHotEncoderModel m) {
      return java.util.Arrays.toString(m.categorySizes());
    }
    if (s instanceof ImputerModel m) {
      return m.surrogateDF().schema().simpleString() + m.surrogateDF().collectAsList();
    }
    return "";
  }

  @Test
  void aStageClassItDoesNotKnowIsReadByMllibsReader() throws Exception {
    Dataset<Row> rows = spark.range(50).select(expr("id"), expr("(id % 9) * 1.0D").as("x"));
    PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {
        new VectorAssembler().setInputCols(new String[] {"id", "x"}).setOutputCol("v"),
        new org.apache.spark.ml.feature.MinMaxScaler().setInputCol("v").setOutputCol("scaled")}).fit(rows);
    String dir = Files.createTempDirectory("glmpipe-loader").resolve("minmax").toUri().toString();
    fitted.write().save(dir);

    PipelineModel[] loaded = new PipelineModel[1];
    assertThat(SparkJobs.startedBy(spark, () -> loaded[0] = PipelineLoader.load(spark.sparkContext().hadoopConfiguration(), new Path(dir))))
        .isPositive();
    assertThat(describe(loaded[0].stages())).isEqualTo(describe(fitted.stages()));
    assertThat(scores(loaded[0], rows, "scaled")).isEqualTo(scores(fitted, rows, "scaled"));
  }

  @Test
  void aDirectoryHoldingAnotherModelIsRefusedNamingIt() throws Exception {
    Dataset<Row> rows = spark.range(50).select(expr("id"), expr("CAST(id % 2 AS DOUBLE)").as("label"));
    PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {
        new VectorAssembler().setInputCols(new String[] {"id"}).setOutputCol("features"),
        new LogisticRegression().setMaxIter(5)}).fit(rows);
    String dir = Files.createTempDirectory("glmpipe-loader").resolve("lr").toUri().toString();
    ((org.apache.spark.ml.classification.LogisticRegressionModel) fitted.stages()[1]).write().save(dir);

    assertThatThrownBy(() -> PipelineLoader.load(spark.sparkContext().hadoopConfiguration(), new Path(dir)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("LogisticRegressionModel, not a org.apache.spark.ml.PipelineModel");
  }

  /** Each stage's class, uid and defined parameters (as MLlib writes them, arrays included). */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static List<String> describe(Transformer[] stages) {
    List<String> out = new ArrayList<>();
    for (Transformer s : stages) {
      StringBuilder d = new StringBuilder(s.getClass().getName() + " " + s.uid());
      for (org.apache.spark.ml.param.Param p : s.params()) {
        if (s.isDefined(p)) {
          d.append(' ').append(p.name()).append('=').append(p.jsonEncode(s.getOrDefault(p)));
        }
      }
      out.add(d.toString());
    }
    return out;
  }

  private static List<Row> scores(PipelineModel model, Dataset<Row> rows, String output) {
    return model.transform(rows).orderBy("id").select("id", output).collectAsList();
  }
}
