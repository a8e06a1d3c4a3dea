package dev.glmpipe.jobs;

import dev.glmpipe.config.ConfigLoader;
import dev.glmpipe.config.ConfigRedactor;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.io.JsonFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** {@code --conf} and {@code --set}, shared by every job. */
public final class ConfigOptions {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigOptions.class);

  @Option(names = "--conf", required = true, paramLabel = "FILE",
      description = "YAML config (e.g. conf/local.yaml); repeat to layer several, later wins. "
          + "Any Hadoop path works: s3://, gs://, file:.")
  List<String> files = new ArrayList<>();

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Override one config key, e.g. --set model.reg_param=0.01 (repeatable).")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--run-id", paramLabel = "ID",
      description = "This run's id, in its logs, Spark job descriptions and result (default: generated, job-UTC time-random).")
  String runId;

  private String sha256;

  /** Masks the run's secrets in what it prints; patterns only until the config is loaded. */
  private ConfigRedactor redactor = ConfigRedactor.basic();

  /** Loads, binds and validates; logs the effective config with secrets masked. */
  GlmpipeConfig load() {
    Map<String, Object> tree = ConfigLoader.loadTree(files, overrides);
    redactor = ConfigRedactor.of(tree);
    Map<String, Object> redacted = ConfigRedactor.redact(tree);
    LOG.info("effective config: {}", JsonFiles.toJsonLine(redacted));
    sha256 = JsonFiles.sha256Sorted(redacted);
    return ConfigLoader.bind(tree);
  }

  /** SHA-256 of the effective config with secrets masked, keys sorted (set by {@link #load}). */
  String sha256() {
    return sha256;
  }

  /** The redaction of this run's printed text: the patterns, plus its config's secret values once loaded. */
  ConfigRedactor redactor() {
    return redactor;
  }
}
