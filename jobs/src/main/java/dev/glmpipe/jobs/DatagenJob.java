package dev.glmpipe.jobs;

import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.datagen.ChurnGenerator;
import dev.glmpipe.datagen.SampleData;
import dev.glmpipe.io.DateRange;
import dev.glmpipe.runs.PipelineContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code glmpipe datagen}: see {@link SampleData}. */
@Command(name = "datagen", description = "Generate sample raw CSV partitions (seeded, with known true coefficients).")
final class DatagenJob extends JobCommand<DateRange> {
  @Mixin DateOptions dates;

  @Override
  protected DateRange options(GlmpipeConfig config) {
    // Drift names (columns, levels, true-model terms) are the generator's: checked before Spark starts.
    ChurnGenerator.check(config.datagen());
    return dates.range();
  }

  @Override
  protected Object run(PipelineContext context, DateRange range) {
    return SampleData.of(context).dates(range).execute();
  }
}
