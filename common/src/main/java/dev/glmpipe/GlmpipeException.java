package dev.glmpipe;

/**
 * An error a user can cause and fix (bad config, bad date, missing input, rejected model).
 * The launcher prints {@link #getMessage()} as one line and exits with {@link #exitCode()};
 * anything else is a bug or an infrastructure failure and exits with 1.
 */
public class GlmpipeException extends RuntimeException {
  /** Exit codes the launcher documents; Airflow and shell scripts branch on them. */
  public static final int EXIT_FAILURE = 1;
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_DATA_CONTRACT = 3;
  public static final int EXIT_MODEL_REJECTED = 4;
  /** Monitoring found drift or a performance drop at alert level, and monitor.on_alert is fail. */
  public static final int EXIT_MONITOR_ALERT = 5;

  private final int exitCode;

  public GlmpipeException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public GlmpipeException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }

  /** Bad command line, bad config value, or a state the user must fix first (no champion yet). */
  public static GlmpipeException usage(String message) {
    return new GlmpipeException(EXIT_USAGE, message);
  }

  /** Input data is missing or breaks its contract. */
  public static GlmpipeException dataContract(String message) {
    return new GlmpipeException(EXIT_DATA_CONTRACT, message);
  }

  /** The model failed a quality gate; nothing was promoted. */
  public static GlmpipeException modelRejected(String message) {
    return new GlmpipeException(EXIT_MODEL_REJECTED, message);
  }

  /**
   * Our error in {@code t}'s cause chain (Spark may wrap it), the first one; else a data error
   * for Spark's ANSI-mode data exceptions (below); null if neither.
   */
  public static GlmpipeException find(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof GlmpipeException g) {
        return g;
      }
    }
    return ansiDataError(t);
  }

  /**
   * Under ANSI SQL mode ({@code spark.sql.ansi.enabled}, on by default from Spark 4) a value
   * that overflows, does not cast or divides by zero fails the query with a Spark error of
   * SQLSTATE class 22 ("data exception"). glmpipe's own expressions are written not to raise
   * them, but data can still reach one through a user's SQL (a contract pattern, a slice):
   * it is then the data's error (exit 3), told in one line, never a bare stack trace.
   */
  static GlmpipeException ansiDataError(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof org.apache.spark.SparkThrowable s && s.getSqlState() != null && s.getSqlState().startsWith("22")) {
        String message = String.valueOf(c.getMessage()).strip();
        int line = message.indexOf('\n');
        return new GlmpipeException(EXIT_DATA_CONTRACT, "a value in the data fails under ANSI SQL mode (SQLSTATE "
            + s.getSqlState() + "; spark.sql.ansi.enabled=false gives null instead): "
            + (line < 0 ? message : message.substring(0, line)), c);
      }
    }
    return null;
  }
}
