package dev.glmpipe;

import org.apache.spark.sql.SparkSession;

/** Names the Spark jobs that follow, so the Spark UI reads like the pipeline's flow. */
public final class JobStages {
  private JobStages() {}

  public static void describe(SparkSession spark, String group, String description) {
    spark.sparkContext().setJobGroup(group, description, false);
  }
}
