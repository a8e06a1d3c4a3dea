package dev.glmpipe.score;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glmpipe.Columns;
import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.config.FeaturesConfig.CategoricalFeature;
import dev.glmpipe.config.FeaturesConfig.Impute;
import dev.glmpipe.config.FeaturesConfig.NumericFeature;
import dev.glmpipe.config.FeaturesConfig.Scale;
import dev.glmpipe.features.FeaturePipeline;
import dev.glmpipe.testing.SharedSpark;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.codegen.ByteCodeStats;
import org.apache.spark.sql.execution.SparkPlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Tuple3;

/**
 * What the compiled plan is made of: no UDF anywhere, the scoring projection inside whole-stage
 * codegen, and no generated method too large for the JIT (8000 bytes of bytecode), even for a
 * model with more input columns than {@code spark.sql.codegen.maxFields} allows by default.
 */
class CompiledPlanTest {
  private static final int JIT_LIMIT = 8000;
  private final SparkSession spark = SharedSpark.get();

  @TempDir java.nio.file.Path tmp;

  @Test
  void aWideModelCompilesToSmallMethodsInsideWholeStageCodegen() {
    int width = 110;
    List<NumericFeature> numeric = new ArrayList<>();
    List<Column> cols = new ArrayList<>(List.of(org.apache.spark.sql.functions.col("id").cast("string").as("id")));
    for (int i = 0; i < width; i++) {
      numeric.add(new NumericFeature("x" + i, i % 3 == 0 ? Impute.MEAN : Impute.MEDIAN, i % 2 == 0 ? Scale.STANDARD : Scale.NONE));
      cols.add(org.apache.spark.sql.functions.expr("CASE WHEN id % 17 = " + (i % 17) + " THEN NULL ELSE (id * " + (i + 1) + ") % 101 / 10.0D END").as("x" + i));
    }
    cols.add(org.apache.spark.sql.functions.expr("element_at(array('a','b','c'), CAST(id % 3 AS INT) + 1)").as("c"));
    cols.add(org.apache.spark.sql.functions.expr("CAST(id % 7 AS DOUBLE)").as(Columns.LABEL));
    // Read from Parquet, as scoring does: the scan's width is what codegen limits.
    String path = tmp.resolve("input").toUri().toString();
    spark.range(400).select(cols.toArray(Column[]::new)).write().parquet(path);
    Dataset<Row> rows = spark.read().parquet(path);
    FeaturesConfig spec = new FeaturesConfig(numeric, List.of(new CategoricalFeature("c")), null, null, null, null);
    List<PipelineStage> stages = new ArrayList<>(FeaturePipeline.stages(spec, rows));
    stages.add(new LinearRegression().setFeaturesCol(FeaturePipeline.FEATURES).setLabelCol(Columns.LABEL).setMaxIter(5).setRegParam(0.1));
    PipelineModel model = new Pipeline().setStages(stages.toArray(PipelineStage[]::new)).fit(rows);

    PipelineScorer scorer = new PipelineScorer(model, "m", "v", PipelineScorer.Engine.COMPILED).forInput(rows);
    Dataset<Row> scored = scorer.score(rows, List.of("id"), List.of());
    String before = spark.conf().get("spark.sql.codegen.maxFields");
    try {
      assertThat(PipelineScorer.allowCodegenFor(spark, scored)).isPresent();
      Dataset<Row> planned = scorer.score(rows, List.of("id"), List.of());
      assertThat(planned.queryExecution().optimizedPlan().toJSON()).doesNotContain("ScalaUDF").doesNotContain("PythonUDF");
      SparkPlan plan = planned.queryExecution().executedPlan();
      assertThat(plan.toString()).contains("*(1) Project");
      scala.collection.Seq<Tuple3<String, String, ByteCodeStats>> code =
          org.apache.spark.sql.execution.debug.package$.MODULE$.codegenStringSeq(plan);
      assertThat(code.size()).isPositive();
      for (int i = 0; i < code.size(); i++) {
        assertThat(code.apply(i)._3().maxMethodCodeSize()).as("largest generated method").isBetween(1, JIT_LIMIT - 1);
      }
      assertThat(ParityCheck.run(spark, scorer, rows, 400, List.of("id")).mismatch()).isNull();
    } finally {
      spark.conf().set("spark.sql.codegen.maxFields", before);
    }
  }

  /**
   * One scorer scores all the dates of a run: their plans generate the same code (scored_at is
   * the scorer's one timestamp, not each query's current_timestamp()), so Spark compiles it once
   * and the dates after the first run the class the JIT has already compiled.
   */
  @Test
  void theDatesOfARunShareTheirGeneratedCode() throws InterruptedException {
    List<Dataset<Row>> dates = new ArrayList<>();
    for (int day = 1; day <= 2; day++) {
      String path = tmp.resolve("dt=" + day).toUri().toString();
      spark.range(day * 100).selectExpr("CAST(id AS STRING) AS id", "CAST(id * " + day + " % 13 AS DOUBLE) AS x",
          "element_at(array('a','b'), CAST(id % 2 AS INT) + 1) AS c", "CAST(id % 5 AS DOUBLE) AS " + Columns.LABEL)
          .write().parquet(path);
      dates.add(spark.read().parquet(path));
    }
    FeaturesConfig spec = new FeaturesConfig(List.of(new NumericFeature("x", Impute.MEAN, Scale.STANDARD)),
        List.of(new CategoricalFeature("c")), null, null, null, null);
    List<PipelineStage> stages = new ArrayList<>(FeaturePipeline.stages(spec, dates.get(0)));
    stages.add(new LinearRegression().setFeaturesCol(FeaturePipeline.FEATURES).setLabelCol(Columns.LABEL).setMaxIter(5));
    PipelineModel model = new Pipeline().setStages(stages.toArray(PipelineStage[]::new)).fit(dates.get(0));

    PipelineScorer scorer = new PipelineScorer(model, "m", "v", PipelineScorer.Engine.COMPILED);
    List<String> code = new ArrayList<>();
    for (Dataset<Row> input : dates) {
      Dataset<Row> scored = scorer.forInput(input).score(input, List.of("id"), List.of());
      scala.collection.Seq<Tuple3<String, String, ByteCodeStats>> subtrees =
          org.apache.spark.sql.execution.debug.package$.MODULE$.codegenStringSeq(scored.queryExecution().executedPlan());
      assertThat(subtrees.size()).isEqualTo(1);
      code.add(subtrees.apply(0)._2());  // the generated source; _1 is the plan, which names the files
      Thread.sleep(2);  // a timestamp taken per query would differ
    }
    assertThat(code.get(0)).contains("GeneratedIteratorForCodegenStage1").isEqualTo(code.get(1));
  }
}
