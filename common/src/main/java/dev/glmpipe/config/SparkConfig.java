package dev.glmpipe.config;

import java.util.Map;

/**
 * Session settings. {@code master} applies only when the job was not started by
 * {@code spark-submit} with its own {@code --master} (which always wins).
 */
public record SparkConfig(@ConfigOptional String master, @ConfigOptional Map<String, String> conf) {
  public Map<String, String> confOrEmpty() {
    return conf == null ? Map.of() : conf;
  }
}
