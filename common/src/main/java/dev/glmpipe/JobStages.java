package dev.glmpipe;

import org.apache.spark.sql.SparkSession;

/** Names the Spark jobs that follow, so the Spark UI reads like the pipeline's flow. */
public final class JobStages {
  private JobStages() {}

  /**
   * Sets the job group and description of the jobs that follow, both prefixed with the run's id when
   * there is one, and starts the run's {@code phase} (read, check, write, …) on its
   * {@link PhaseClock}.
   */
  public static void describe(SparkSession spark, String group, String phase, String description) {
    String runId = spark.sparkContext().getLocalProperty(RunId.SPARK_PROPERTY);
    PhaseClock.enter(runId, phase);
    // The group id carries the run id too: the Spark UI and event logs group jobs by it.
    spark.sparkContext().setJobGroup(runId == null ? group : runId + "/" + group,
        runId == null ? description : "[" + runId + "] " + description, false);
  }

  /** Starts the run's {@code phase} where no Spark job follows (publishing files, writing a report). */
  public static void phase(SparkSession spark, String phase) {
    PhaseClock.enter(spark.sparkContext().getLocalProperty(RunId.SPARK_PROPERTY), phase);
  }
}
