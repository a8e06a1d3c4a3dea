package dev.glmpipe.testing;

import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;

/** Counts the Spark jobs an action starts, for tests of how much work a step does. */
public final class SparkJobs {
  private SparkJobs() {}

  /** Spark jobs started while {@code action} runs (none of the shared session's other users run meanwhile). */
  public static int startedBy(SparkSession spark, Runnable action) {
    AtomicInteger jobs = new AtomicInteger();
    SparkListener counter = new SparkListener() {
      @Override
      public void onJobStart(SparkListenerJobStart start) {
        jobs.incrementAndGet();
      }
    };
    spark.sparkContext().addSparkListener(counter);
    try {
      action.run();
      // Listener events arrive asynchronously: wait until the bus has delivered every event so far.
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } catch (TimeoutException e) {
      throw new IllegalStateException("Spark's listener bus did not drain", e);
    } finally {
      spark.sparkContext().removeSparkListener(counter);
    }
    return jobs.get();
  }
}
