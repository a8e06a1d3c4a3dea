package dev.glmpipe.testing;

import org.apache.spark.sql.SparkSession;

/**
 * The one SparkSession tests share: local[2], UI off, few shuffle partitions, bound to
 * 127.0.0.1. Started on first use and stopped when the test JVM exits, so each test class pays
 * nothing for it after the first.
 *
 * <p>ANSI SQL mode is the Spark version's default (off on 3.5, on from 4.0) unless the system
 * property {@code glmpipe.test.ansi} says {@code true} or {@code false} ({@code ./mvnw
 * -Dtest.ansi=true ...}): every test passes either way.
 */
public final class SharedSpark {
  private static SparkSession session;

  private SharedSpark() {}

  public static synchronized SparkSession get() {
    if (session == null) {
      SparkSession.Builder builder = SparkSession.builder()
          .master("local[2]")
          .appName("glmpipe-tests")
          .config("spark.ui.enabled", "false")
          .config("spark.sql.shuffle.partitions", "2")
          .config("spark.default.parallelism", "2")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1")
          .config("spark.sql.session.timeZone", "UTC")
          .config("spark.sql.legacy.timeParserPolicy", "CORRECTED");  // as SessionFactory sets it
      String ansi = System.getProperty("glmpipe.test.ansi", "").trim();
      if (!ansi.isEmpty()) {
        builder.config("spark.sql.ansi.enabled", Boolean.parseBoolean(ansi));
      }
      session = builder.getOrCreate();
      Runtime.getRuntime().addShutdownHook(new Thread(session::stop));
    }
    return session;
  }
}
