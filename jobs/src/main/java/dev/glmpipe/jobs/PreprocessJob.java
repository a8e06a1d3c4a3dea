package dev.glmpipe.jobs;

import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.contract.Preprocess;
import dev.glmpipe.io.DateRange;
import dev.glmpipe.runs.PipelineContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code glmpipe preprocess}: see {@link Preprocess}. */
@Command(name = "preprocess", description = "Check raw partitions against the data contract; write features and quarantine.")
final class PreprocessJob extends JobCommand<DateRange> {
  @Mixin DateOptions dates;

  @Override
  protected DateRange options(GlmpipeConfig config) {
    return dates.range();
  }

  @Override
  protected Object run(PipelineContext context, DateRange range) {
    return Preprocess.of(context).dates(range).execute();
  }
}
