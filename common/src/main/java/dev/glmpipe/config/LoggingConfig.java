package dev.glmpipe.config;

/**
 * How the driver logs.
 *
 * @param format {@code text} (default): the lines of {@code conf/log4j2.properties};
 *     {@code json}: one JSON object per line (log4j2's JSON template layout) for log shippers
 */
public record LoggingConfig(@ConfigOptional Format format) {
  public enum Format { TEXT, JSON }

  public LoggingConfig {
    format = format == null ? Format.TEXT : format;
  }

  public static LoggingConfig defaults() {
    return new LoggingConfig(null);
  }
}
