package dev.glmpipe.jobs;

import dev.glmpipe.registry.VersionId;
import picocli.CommandLine.Option;

/** {@code --model-version V}: which model version a job works on; the newest when absent. */
final class VersionOption {
  @Option(names = "--model-version", paramLabel = "VERSION",
      description = "Model version id (default: the newest version).")
  String version;

  /** The version given, checked to be a version id (exit 2 naming the option otherwise), or null. */
  String checked() {
    return VersionId.require("--model-version", version);
  }
}
