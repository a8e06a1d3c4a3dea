package dev.glmpipe;

import org.apache.spark.sql.SparkSession;

/** Names the Spark jobs that follow, so the Spark UI reads like the pipeline's flow. */
public final class JobStages {
  private JobStages() {}

  /** Sets the job group and description of the jobs that follow, prefixed with the run's id when there is one. */
  public static void describe(SparkSession spark, String group, String description) {
    String runId = spark.sparkContext().getLocalProperty(RunId.SPARK_PROPERTY);
    spark.sparkContext().setJobGroup(group, runId == null ? description : "[" + runId + "] " + description, false);
  }
}
