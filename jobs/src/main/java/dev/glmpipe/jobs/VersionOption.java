package dev.glmpipe.jobs;

import picocli.CommandLine.Option;

/** {@code --model-version V}: which model version a job works on; the newest when absent. */
final class VersionOption {
  @Option(names = "--model-version", paramLabel = "VERSION",
      description = "Model version id (default: the newest version).")
  String version;
}
