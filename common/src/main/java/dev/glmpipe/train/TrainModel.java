package dev.glmpipe.train;

import dev.glmpipe.JobStages;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.config.ModelConfig;
import dev.glmpipe.features.FittedPlan;
import dev.glmpipe.io.DateRange;
import dev.glmpipe.io.PartitionContract;
import dev.glmpipe.io.PartitionedTable;
import dev.glmpipe.io.TableLayout;
import dev.glmpipe.baseline.Baseline;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The train operation: features for a date window → one read for the split, label counts,
 * feature statistics, profile and the monitoring baseline's input counts → fitted feature
 * pipeline + linear model → convergence decision → the holdout scored once more for the
 * baseline's score counts (one job: the window read again, its holdout rows scored). Writes nothing: the registry turns the {@link TrainingRun} into a version.
 *
 * <pre>TrainModel.of(spark, config).window(range).execute()</pre>
 */
public final class TrainModel {
  private static final Logger LOG = LoggerFactory.getLogger(TrainModel.class);
  private final SparkSession spark;
  private final GlmpipeConfig config;
  private DateRange window;

  private TrainModel(SparkSession spark, GlmpipeConfig config) {
    this.spark = spark;
    this.config = config;
  }

  /**
   * Train sits below the registry (which turns its run into a version), so it takes the
   * session and config rather than the context that holds the registry.
   */
  public static TrainModel of(SparkSession spark, GlmpipeConfig config) {
    return new TrainModel(spark, config);
  }

  public TrainModel window(DateRange window) {
    this.window = window;
    return this;
  }

  /**
   * @throws dev.glmpipe.GlmpipeException (model rejected, exit 4) when the model did not
   *     converge and train.allow_non_convergence does not let it through
   */
  public TrainingRun execute() {
    GlmpipeConfig c = config;
    List<LocalDate> dates = window.dates();
    String group = "train-" + window;
    HoldoutSplit split = HoldoutSplit.of(c.train().holdout(), dates);
    boolean logistic = c.model().type() == ModelConfig.ModelType.LOGISTIC;
    JobStages.describe(spark, group, "statistics", "train " + window + ": one read for split and label counts, feature statistics and profile");
    PartitionedTable features = new PartitionedTable(spark, TableLayout.of(c.storage()).features());
    Dataset<Row> rows = TrainingFrames.withLabel(features.read(dates), c.dataset().label());
    // Which contract each partition was checked against, for the manifest. A window spanning a
    // contract change trains on both (the input schema records what the model reads either way).
    List<PartitionContract.Use> contracts = features.contracts(dates);
    if (contracts.size() > 1) {
      LOG.warn("train {}: the window's partitions were checked against {} different contracts: {}", window,
          contracts.size(), contracts);
    }
    TrainingPass pass = TrainingPass.run(rows, split.isHoldout(), c.features(), logistic, true, true);

    JobStages.describe(spark, group, "fit", "train " + window + ": assemble the training matrix and fit "
        + c.model().type().name().toLowerCase(Locale.ROOT) + " regression ("
        + c.model().solver().name().toLowerCase(Locale.ROOT) + ")");
    ModelTrainer trainer = new ModelTrainer(c.features(), c.model(), c.train().tuning(), c.dataset().keyColumns());
    ModelTrainer.TrainedModel trained = trainer.fit(TrainingFrames.training(rows, split), pass);
    ConvergenceCheck.Decision convergence = ConvergenceCheck.decide(trained.convergence(), c.train().allowNonConvergence());
    Map<String, Object> params = trainer.params();
    if (trained.tuning() != null) {
      // The parameters the version was fitted with.
      trained.tuning().best().forEach((k, v) -> params.put(k, k.equals("max_iter") ? (Object) (int) Math.round(v) : v));
    }
    params.put("aggregation_depth", trained.layout().aggregationDepth());
    FittedPlan plan = FittedPlan.of(trained.pipeline(), c.features());
    JobStages.describe(spark, group, "baseline", "train " + window + ": score the holdout for the monitoring baseline");
    Baseline baseline = TrainingBaseline.build(pass, rows, split, c.features(), trained.pipeline(),
        c.monitorOrDefault().bins(), Baseline.TRAIN);
    return new TrainingRun(c, window, split, pass, trained, convergence, plan.slotNames(), ModelCoefficients.of(plan),
        params, TrainingRun.inputSchema(rows, c.features()), spark.version(), baseline, contracts);
  }
}
