package dev.glmpipe.runs;

import dev.glmpipe.JobStages;
import dev.glmpipe.RunId;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.io.PartitionedTable;
import dev.glmpipe.io.TableLayout;
import dev.glmpipe.registry.ModelRegistry;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * What every operation runs with, built once per run by the launcher: the session, the
 * validated config, where the tables are, the model's registry, and the run's id (stamped on
 * every record the run writes; null only when an operation runs outside a job, as in tests).
 */
public record PipelineContext(SparkSession spark, GlmpipeConfig config, TableLayout layout, ModelRegistry registry,
    String runId) {

  /** The context of the run whose id the launcher set on this thread ({@link RunId#SPARK_PROPERTY}). */
  public static PipelineContext of(SparkSession spark, GlmpipeConfig config) {
    TableLayout layout = TableLayout.of(config.storage());
    return new PipelineContext(spark, config, layout,
        new ModelRegistry(spark.sparkContext().hadoopConfiguration(), layout.models(), config.model().name()),
        spark.sparkContext().getLocalProperty(RunId.SPARK_PROPERTY));
  }

  public Configuration hadoop() {
    return spark.sparkContext().hadoopConfiguration();
  }

  public PartitionedTable features() {
    return new PartitionedTable(spark, layout.features());
  }

  /** Names the Spark jobs that follow, so the Spark UI reads like the pipeline's flow. */
  public void describe(String group, String phase, String description) {
    JobStages.describe(spark, group, phase, description);
  }

  /** Starts the run's {@code phase} where no Spark job follows (publishing, reports); see {@link JobStages#phase}. */
  public void phase(String phase) {
    JobStages.phase(spark, phase);
  }
}
