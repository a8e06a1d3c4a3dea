package dev.glmpipe.train;

import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.config.ModelConfig;
import dev.glmpipe.features.FittedPlan;
import dev.glmpipe.io.DateRange;
import dev.glmpipe.runs.PipelineContext;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The train operation: features for a date window → one read for the split, label counts,
 * feature statistics and profile → fitted feature pipeline + linear model → convergence
 * decision. Writes nothing: the registry turns the {@link TrainingRun} into a version.
 *
 * <pre>TrainModel.of(context).window(range).execute()</pre>
 */
public final class TrainModel {
  private final PipelineContext context;
  private DateRange window;

  private TrainModel(PipelineContext context) {
    this.context = context;
  }

  public static TrainModel of(PipelineContext context) {
    return new TrainModel(context);
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
    GlmpipeConfig c = context.config();
    List<LocalDate> dates = window.dates();
    String group = "train-" + window;
    HoldoutSplit split = HoldoutSplit.of(c.train().holdout(), dates);
    boolean logistic = c.model().type() == ModelConfig.ModelType.LOGISTIC;
    context.describe(group, "train " + window + ": one read for split and label counts, feature statistics and profile");
    Dataset<Row> rows = TrainingFrames.withLabel(context.features().read(dates), c.dataset().label());
    TrainingPass pass = TrainingPass.run(rows, split.isHoldout(), c.features(), logistic, true);

    context.describe(group, "train " + window + ": assemble the training matrix and fit "
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
    return new TrainingRun(c, window, split, pass, trained, convergence,
        FittedPlan.of(trained.pipeline(), c.features()).slotNames(), ModelCoefficients.of(trained.pipeline(), c.features()),
        params, TrainingRun.inputSchema(rows, c.features()), context.spark().version());
  }
}
