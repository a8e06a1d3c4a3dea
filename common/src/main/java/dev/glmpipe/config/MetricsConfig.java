package dev.glmpipe.config;

/**
 * Where a run pushes its metrics at the end (README.md, "Run records and metrics"). Credentials
 * are named by environment variable only, never given as values.
 *
 * @param pushgateway the Pushgateway's URL, e.g. {@code http://pushgateway:9091}; null: no push
 * @param usernameEnv the environment variable holding the basic-auth user (with {@code passwordEnv})
 * @param passwordEnv the environment variable holding the basic-auth password
 * @param bearerTokenEnv the environment variable holding a bearer token (instead of basic auth)
 * @param failOnError a push that fails fails the run (exit 1); default: log a warning and go on
 */
public record MetricsConfig(
    @ConfigOptional String pushgateway,
    @ConfigOptional String usernameEnv,
    @ConfigOptional String passwordEnv,
    @ConfigOptional String bearerTokenEnv,
    @ConfigOptional Boolean failOnError) {

  public MetricsConfig {
    failOnError = failOnError != null && failOnError;
  }

  public static MetricsConfig defaults() {
    return new MetricsConfig(null, null, null, null, null);
  }

  public boolean enabled() {
    return pushgateway != null && !pushgateway.isBlank();
  }
}
