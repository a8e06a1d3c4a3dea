package dev.glmpipe.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.apache.spark.sql.functions.expr;

import dev.glmpipe.testing.SharedSpark;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.feature.Imputer;
import org.apache.spark.ml.feature.ImputerModel;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The parallel loader against MLlib's own {@code PipelineModel.load} on one saved pipeline. */
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
    PipelineModel loaded = PipelineLoader.load(spark.sparkContext().hadoopConfiguration(), new Path(dir));

    assertThat(loaded.uid()).isEqualTo(reference.uid());
    assertThat(describe(loaded.stages())).hasSize(15).isEqualTo(describe(reference.stages()));
    assertThat(scores(loaded, rows)).isEqualTo(scores(reference, rows));

    // The imputer's surrogates are held on the driver: transforming runs no Spark job for them.
    ImputerModel imputer = (ImputerModel) loaded.stages()[9];
    assertThat(imputer.surrogateDF().collectAsList())
        .isEqualTo(((ImputerModel) reference.stages()[9]).surrogateDF().collectAsList());
    assertThat(imputer.surrogateDF().queryExecution().optimizedPlan())
        .isInstanceOf(org.apache.spark.sql.catalyst.plans.logical.LocalRelation.class);
    Dataset<Row> local = spark.createDataFrame(rows.limit(20).collectAsList(), rows.schema());
    assertThat(jobsRunBy(() -> imputer.transform(local).collectAsList())).isZero();
    // MLlib's own (read once per model object, so a freshly loaded one) runs a job to read them.
    ImputerModel stored = (ImputerModel) PipelineModel.load(dir).stages()[9];
    assertThat(jobsRunBy(() -> stored.transform(local).collectAsList())).isPositive();
  }

  /** Spark jobs started while {@code action} runs (none of the shared session's other users run meanwhile). */
  private int jobsRunBy(Runnable action) throws java.util.concurrent.TimeoutException {
    java.util.concurrent.atomic.AtomicInteger jobs = new java.util.concurrent.atomic.AtomicInteger();
    org.apache.spark.scheduler.SparkListener counter = new org.apache.spark.scheduler.SparkListener() {
      @Override
      public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart start) {
        jobs.incrementAndGet();
      }
    };
    spark.sparkContext().addSparkListener(counter);
    try {
      action.run();
      // Listener events arrive asynchronously: wait until the bus has delivered every event so far.
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } finally {
      spark.sparkContext().removeSparkListener(counter);
    }
    return jobs.get();
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

  private static List<Row> scores(PipelineModel model, Dataset<Row> rows) {
    return model.transform(rows).orderBy("id").select("id", "probability", "prediction").collectAsList();
  }
}
