package dev.glmpipe.jobs;

import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.io.DateRange;
import dev.glmpipe.registry.ModelVersion;
import dev.glmpipe.runs.PipelineContext;
import dev.glmpipe.train.TrainModel;
import dev.glmpipe.train.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code glmpipe train}: {@link TrainModel}, then the registry stores the run as a new version. */
@Command(name = "train", description = "Fit the feature spec and model on a window of feature partitions; register a new version.")
final class TrainJob extends JobCommand<DateRange> {
  @Mixin DateOptions dates;

  @Override
  protected DateRange options(GlmpipeConfig config) {
    return dates.range();
  }

  @Override
  protected Object run(PipelineContext context, DateRange window) {
    TrainingRun run = TrainModel.of(context.spark(), context.config()).window(window).execute();
    context.describe("train-" + window, "write", "train " + window + ": write model version");
    ModelVersion version = context.registry().register(run, context.runId());
    return run.result(version.id(), version.dir().toString());
  }
}
