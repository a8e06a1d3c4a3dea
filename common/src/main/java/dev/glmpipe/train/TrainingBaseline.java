package dev.glmpipe.train;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.glmpipe.Columns;
import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.features.FeaturePipeline;
import dev.glmpipe.features.StatisticsPass;
import dev.glmpipe.io.PartitionedTable;
import dev.glmpipe.baseline.Baseline;
import dev.glmpipe.baseline.BaselineBuilder;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.functions;
import org.apache.spark.ml.regression.LinearRegressionModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * The monitoring {@link Baseline} of a fitted model. The inputs' counts come from the training
 * statistics pass ({@link TrainingPass} with the baseline asked for: no extra read of the
 * training rows); the score's counts cost ONE more Spark job, which reads the window again
 * (the hash split needs every row to pick the held-out ones): the fitted pipeline scores the
 * holdout rows and a {@link StatisticsPass} with only the score's histogram counts them per day.
 */
public final class TrainingBaseline {
  private TrainingBaseline() {}

  /** A baseline from a training pass run with the baseline asked for, once {@code pipeline} is fitted. */
  public static Baseline build(TrainingPass pass, Dataset<Row> rows, HoldoutSplit split, FeaturesConfig spec,
      PipelineModel pipeline, int bins, String source) {
    if (pass.statistics() == null) {
      throw new IllegalStateException("the training pass did not count the baseline");
    }
    StatisticsPass.Results scores = scoreCounts(TrainingFrames.holdout(rows, split), pipeline);
    return BaselineBuilder.build(spec, rows.schema(), pass.statistics(), FeaturePipeline.keptLevels(pipeline, spec),
        scores, bins, source);
  }

  /**
   * A baseline from a window's rows alone (a version trained before baselines): one pass over
   * the window for the inputs, one over its holdout for the score.
   *
   * @param rows the window's rows with {@code dt} and the label, as train read them
   */
  public static Baseline rebuild(Dataset<Row> rows, HoldoutSplit split, FeaturesConfig spec, PipelineModel pipeline,
      int bins) {
    StatisticsPass pass = new StatisticsPass();
    BaselineBuilder.request(spec, rows.schema(), pass);
    StatisticsPass.Results r = pass.run(rows, split.isHoldout().unary_$bang());
    StatisticsPass.Results scores = scoreCounts(TrainingFrames.holdout(rows, split), pipeline);
    return BaselineBuilder.build(spec, rows.schema(), r, FeaturePipeline.keptLevels(pipeline, spec), scores, bins,
        Baseline.REBUILT);
  }

  /** The holdout's scores counted per day: one Spark job. */
  static StatisticsPass.Results scoreCounts(Dataset<Row> holdout, PipelineModel pipeline) {
    Dataset<Row> scored = scored(holdout, pipeline);
    StatisticsPass pass = new StatisticsPass();
    BaselineBuilder.requestScore(pass);
    return pass.run(scored, lit(true));
  }

  /** {@code rows} scored, as {@link Columns#SCORE} and {@code dt}. */
  public static Dataset<Row> scored(Dataset<Row> rows, PipelineModel pipeline) {
    return pipeline.transform(rows).select(score(pipeline).as(Columns.SCORE), col(PartitionedTable.DT));
  }

  /**
   * The score as {@link Columns#SCORE} defines it (and the scorer computes it): P(class 1) of a
   * two-class logistic model, the predicted class's probability of a multinomial one, the
   * prediction of a linear one.
   */
  static Column score(PipelineModel pipeline) {
    Transformer last = pipeline.stages()[pipeline.stages().length - 1];
    while (last instanceof PipelineModel nested) {
      last = nested.stages()[nested.stages().length - 1];
    }
    if (last instanceof LinearRegressionModel lin) {
      return col(lin.getPredictionCol()).cast(DataTypes.DoubleType);
    }
    if (last instanceof LogisticRegressionModel lr) {
      Column probability = functions.vector_to_array(col(lr.getProbabilityCol()), "float64");
      return lr.numClasses() == 2 ? probability.getItem(1)
          : probability.apply(col(lr.getPredictionCol()).cast(DataTypes.IntegerType));
    }
    throw new IllegalArgumentException("cannot score with a pipeline ending in " + last.getClass().getSimpleName());
  }
}
