package dev.glmpipe.jobs;

import dev.glmpipe.config.ConfigRedactor;
import dev.glmpipe.config.SparkConfig;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Opens the SparkSession a job runs in. Production opens a fresh one and stops it afterwards;
 * in-process tests hand in a shared session that outlives the job.
 */
@FunctionalInterface
public interface SessionFactory {
  String TIME_PARSER_POLICY = "spark.sql.legacy.timeParserPolicy";
  String REDACTION_REGEX = "spark.redaction.regex";
  String REDACTION_STRING_REGEX = "spark.redaction.string.regex";

  OpenSession open(String appName, SparkConfig config);

  /** Logs a reset connection (as a warning, with its stack trace). */
  String CONNECTION_LOGGER = "org.apache.spark.network.server.TransportChannelHandler";

  /** A session and whether closing the handle stops it. */
  record OpenSession(SparkSession spark, boolean owned) implements AutoCloseable {
    @Override
    public void close() {
      if (owned) {
        // Stopping asks the executors to exit, and one that drops its connection first makes
        // Spark's network layer log the reset as a warning with a stack trace: on stderr, next
        // to the job's one-line error, where an operator would take it for the cause. Expected
        // at this point, so only errors from that logger are kept while the session stops.
        Configurator.setLevel(CONNECTION_LOGGER, Level.ERROR);
        spark.stop();
      }
    }
  }

  /**
   * {@code spark-submit} settings win: the YAML's master and conf apply only to keys that
   * spark-submit (or spark-defaults.conf) did not already set.
   */
  SessionFactory DEFAULT = (appName, config) -> {
    SparkConf submitted = new SparkConf();
    SparkSession.Builder builder = SparkSession.builder().appName(appName)
        // The contract parses dates with try_to_timestamp, which in Spark 3.5 still throws under
        // the default EXCEPTION policy instead of returning null for a value that does not fit.
        .config(TIME_PARSER_POLICY, "CORRECTED");
    // Spark masks properties in its UI, event log and logged conf by spark.redaction.regex, whose
    // default misses keys such as fs.s3a.encryption.key: use glmpipe's policy unless one is set.
    if (!submitted.contains(REDACTION_REGEX)) {
      builder.config(REDACTION_REGEX, ConfigRedactor.SPARK_REDACTION_REGEX);
    }
    if (!submitted.contains(REDACTION_STRING_REGEX)) {
      builder.config(REDACTION_STRING_REGEX, ConfigRedactor.SPARK_REDACTION_STRING_REGEX);
    }
    if (!submitted.contains("spark.master")) {
      builder.master(config.master() != null ? config.master() : "local[*]");
    }
    config.confOrEmpty().forEach((k, v) -> {
      if (!submitted.contains(k)) {
        builder.config(k, v);
      }
    });
    return new OpenSession(builder.getOrCreate(), true);
  };
}
