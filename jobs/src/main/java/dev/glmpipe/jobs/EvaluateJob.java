package dev.glmpipe.jobs;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.config.ModelConfig.ModelType;
import dev.glmpipe.evaluate.EvaluationReport;
import dev.glmpipe.evaluate.ModelMetrics;
import dev.glmpipe.evaluate.QualityGate;
import dev.glmpipe.io.JsonFiles;
import dev.glmpipe.io.PartitionedTable;
import dev.glmpipe.io.TableLayout;
import dev.glmpipe.registry.ModelManifest;
import dev.glmpipe.registry.ModelRegistry;
import dev.glmpipe.train.HoldoutSplit;
import dev.glmpipe.train.TrainingFrames;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Scores a version's holdout (the same rows its manifest set aside) and checks the configured
 * thresholds. The report is saved beside the version either way; a failure exits with code 4.
 */
public final class EvaluateJob {
  public record Config(GlmpipeConfig config, String version) {}

  public record Result(String job, String model, String version, long holdoutRows, Map<String, Double> metrics,
      boolean passed, List<String> failures, String reportPath) {}

  public Result run(SparkSession spark, Config job) {
    GlmpipeConfig c = job.config();
    TableLayout layout = TableLayout.of(c.storage());
    ModelRegistry registry = new ModelRegistry(spark.sparkContext().hadoopConfiguration(), layout.models(), c.model().name());
    String version = job.version() != null ? job.version() : registry.latestVersion();
    ModelManifest manifest = registry.manifest(version);
    ModelManifest.DataWindow window = manifest.dataWindow();
    JobStages.describe(spark, "evaluate-" + version, "evaluate " + version + ": score the holdout and compute metrics");

    List<LocalDate> dates = window.dates().stream().map(LocalDate::parse).toList();
    Dataset<Row> holdout = TrainingFrames.holdout(
        TrainingFrames.withLabel(new PartitionedTable(spark, layout.features()).read(dates), manifest.label()),
        HoldoutSplit.of(window));
    PipelineModel model = PipelineModel.load(registry.modelDir(version).toString());
    Dataset<Row> predictions = model.transform(holdout).persist(StorageLevel.MEMORY_AND_DISK());
    Map<String, Double> metrics;
    long rows;
    try {
      rows = predictions.count();
      if (rows == 0) {
        throw GlmpipeException.dataContract("the holdout of version " + version + " is empty");
      }
      metrics = ModelMetrics.compute(predictions, ModelType.valueOf(manifest.modelType().toUpperCase(java.util.Locale.ROOT)));
    } finally {
      predictions.unpersist();
    }
    List<String> failures = QualityGate.failures(metrics, c.evaluate());
    EvaluationReport report = new EvaluationReport(c.model().name(), version,
        ZonedDateTime.now(ZoneOffset.UTC).toString(), rows, metrics,
        c.evaluate().minimumOrEmpty(), c.evaluate().maximumOrEmpty(), failures.isEmpty(), failures);
    JsonFiles.replaceAtomically(spark.sparkContext().hadoopConfiguration(), registry.evaluationPath(version), report);
    if (!failures.isEmpty()) {
      throw GlmpipeException.modelRejected("version " + version + " rejected: " + String.join("; ", failures)
          + " (report: " + registry.evaluationPath(version) + ")");
    }
    return new Result("evaluate", c.model().name(), version, rows, metrics, true, failures,
        registry.evaluationPath(version).toString());
  }

  @Command(name = "evaluate", description = "Compute holdout metrics for a model version and apply the quality thresholds.")
  static final class Cli extends JobCommand<Config> {
    @Mixin VersionOption version;

    @Override
    protected Config jobConfig(GlmpipeConfig config) {
      return new Config(config, version.version);
    }

    @Override
    protected Object run(SparkSession spark, Config config) {
      return new EvaluateJob().run(spark, config);
    }
  }
}
