package dev.glmpipe.train;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.glmpipe.RunFigures;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.features.FeaturePipeline;
import dev.glmpipe.io.DateRange;
import dev.glmpipe.io.PartitionContract;
import dev.glmpipe.baseline.Baseline;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What {@link TrainModel} produced: the fitted pipeline and everything known about how it was
 * made, for the registry to write as a new version.
 *
 * @param config the config it was trained with
 * @param featureNames the assembled vector's slot names, in order
 * @param params the estimator's parameters (tuned ones included)
 * @param inputSchema every input column's name, Spark SQL type and nullability, as seen
 * @param baseline what drift monitoring compares scored dates with (its version id not set yet)
 * @param inputContracts each distinct data contract the window's partitions were checked
 *     against, with its dates (hash null: partitions written before contracts were recorded)
 */
public record TrainingRun(GlmpipeConfig config, DateRange window, HoldoutSplit split, TrainingPass pass,
    ModelTrainer.TrainedModel trained, ConvergenceCheck.Decision convergence, List<String> featureNames,
    ModelCoefficients coefficients, Map<String, Object> params, List<InputField> inputSchema, String sparkVersion,
    Baseline baseline, List<PartitionContract.Use> inputContracts) {

  /** Coefficients the job's one-line result shows; the manifest has every one. */
  static final int TOP_COEFFICIENTS = 10;

  /** One input column as training saw it. */
  public record InputField(String name, String type, boolean nullable) {}

  /**
   * The train job's result.
   *
   * @param convergence what the convergence check found and what the job decided
   * @param topCoefficients the largest weights by absolute value (all of them are in the manifest)
   * @param windowDates the training window's dates, for the run record; not printed (the
   *     manifest lists them), since a long window would swamp the one-line result
   */
  public record Result(String job, String model, String version, String path, long trainRows, long holdoutRows,
      int iterations, int features, String solver, ConvergenceCheck.Decision convergence,
      List<Weight> topCoefficients, Map<String, Double> tuningBest, @JsonIgnore List<String> windowDates)
      implements RunFigures.Source {
    /** Rows in: training and holdout rows read; a model, not rows, comes out. */
    @Override
    public RunFigures runFigures() {
      return new RunFigures(trainRows + holdoutRows, null, null, version, windowDates, null);
    }
  }

  /** Every weight with its slot name, largest |value| first. */
  public List<Weight> weights() {
    return coefficients.byMagnitude().stream()
        .map(k -> new Weight(k.feature(), k.value(), k.valueInputUnits(), k.outcome())).toList();
  }

  /** The job's result once the registry has stored the run as {@code version} under {@code path}. */
  public Result result(String version, String path) {
    List<Weight> sorted = weights();
    return new Result("train", config.model().name(), version, path, pass.trainRows(), pass.holdoutRows(),
        trained.iterations(), featureNames.size(), trained.solver(), convergence,
        sorted.subList(0, Math.min(TOP_COEFFICIENTS, sorted.size())),
        trained.tuning() == null ? null : trained.tuning().best(),
        window.dates().stream().map(java.time.LocalDate::toString).toList());
  }

  static List<InputField> inputSchema(Dataset<Row> rows, FeaturesConfig spec) {
    return FeaturePipeline.inputColumns(spec).stream().map(n -> rows.schema().apply(n))
        .map(f -> new InputField(f.name(), f.dataType().simpleString(), f.nullable())).toList();
  }
}
