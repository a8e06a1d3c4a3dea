package dev.glmpipe.jobs;

import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.export.ExportVersion;
import dev.glmpipe.runs.PipelineContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code glmpipe export}: see {@link ExportVersion}. */
@Command(name = "export", description = "Export a passed version (JSON, ONNX checked against Spark) and promote it to champion.")
final class ExportJob extends JobCommand<String> {
  @Mixin VersionOption version;

  @Override
  protected String options(GlmpipeConfig config) {
    return version.checked();
  }

  @Override
  protected Object run(PipelineContext context, String versionId) {
    return ExportVersion.of(context).version(versionId).execute();
  }
}
