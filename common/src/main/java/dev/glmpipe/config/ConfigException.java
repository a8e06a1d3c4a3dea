package dev.glmpipe.config;

import dev.glmpipe.GlmpipeException;

/**
 * A config problem, always naming the full key path (e.g. {@code model.reg_param}). A value the
 * problem quotes is masked when the key holds a secret ({@link ConfigRedactor}).
 */
public class ConfigException extends GlmpipeException {
  public ConfigException(String keyPath, String problem) {
    super(EXIT_USAGE, "config key '" + keyPath + "': " + ConfigRedactor.problem(keyPath, problem));
  }

  /** A problem with a config file as a whole (unreadable, not YAML). */
  public static ConfigException file(String file, String problem) {
    return new ConfigException(file, problem, true);
  }

  private ConfigException(String file, String problem, boolean ignored) {
    super(EXIT_USAGE, "config file '" + file + "': " + ConfigRedactor.problem(file, problem));
  }
}
