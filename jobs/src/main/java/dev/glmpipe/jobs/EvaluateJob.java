package dev.glmpipe.jobs;

import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.evaluate.EvaluateVersion;
import dev.glmpipe.runs.PipelineContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code glmpipe evaluate}: see {@link EvaluateVersion}. */
@Command(name = "evaluate", description = "Evaluate a model version on its holdout, compare with the champion and apply the gate.")
final class EvaluateJob extends JobCommand<String> {
  @Mixin VersionOption version;

  @Override
  protected String options(GlmpipeConfig config) {
    return version.checked();
  }

  @Override
  protected Object run(PipelineContext context, String versionId) {
    return EvaluateVersion.of(context).version(versionId).execute();
  }
}
