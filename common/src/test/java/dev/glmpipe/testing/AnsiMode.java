package dev.glmpipe.testing;

import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;

/**
 * Runs a piece of a test with {@code spark.sql.ansi.enabled} set one way, then puts the
 * session's setting back: tests of what ANSI mode changes check both modes on every build.
 */
public final class AnsiMode {
  private static final String KEY = "spark.sql.ansi.enabled";

  private AnsiMode() {}

  public static <T> T with(SparkSession spark, boolean ansi, Callable<T> body) throws Exception {
    String before = spark.conf().get(KEY);
    spark.conf().set(KEY, ansi);
    try {
      return body.call();
    } finally {
      spark.conf().set(KEY, before);
    }
  }
}
