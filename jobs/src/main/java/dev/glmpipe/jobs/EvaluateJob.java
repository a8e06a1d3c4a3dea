package dev.glmpipe.jobs;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.config.ConfigBinder;
import dev.glmpipe.config.EvaluateConfig;
import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.evaluate.EvaluationReport;
import dev.glmpipe.evaluate.HoldoutEvaluator;
import dev.glmpipe.evaluate.HtmlReport;
import dev.glmpipe.evaluate.QualityGate;
import dev.glmpipe.evaluate.Task;
import dev.glmpipe.io.JsonFiles;
import dev.glmpipe.io.PartitionedTable;
import dev.glmpipe.io.TableLayout;
import dev.glmpipe.registry.ModelManifest;
import dev.glmpipe.registry.ModelRegistry;
import dev.glmpipe.train.ModelCoefficients;
import dev.glmpipe.train.HoldoutSplit;
import dev.glmpipe.train.TrainingFrames;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Scores a version's holdout (the rows its manifest set aside), and the champion's on the same
 * rows, computes the metrics and applies the gate. The JSON report and the HTML report are
 * saved either way; a rejection exits with code 4 and promotes nothing.
 */
public final class EvaluateJob {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluateJob.class);
  /** Training rows scored to choose a max-F1 threshold. */
  private static final long THRESHOLD_ROWS = 100_000;

  public record Config(GlmpipeConfig config, String version) {}

  public record Result(String job, String model, String version, String task, long holdoutRows, Map<String, Double> metrics,
      String champion, boolean passed, List<String> failures, String evaluationPath, String reportPath) {}

  public Result run(SparkSession spark, Config job) {
    GlmpipeConfig c = job.config();
    EvaluateConfig ec = c.evaluate();
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    TableLayout layout = TableLayout.of(c.storage());
    ModelRegistry registry = new ModelRegistry(hadoop, layout.models(), c.model().name());
    String version = job.version() != null ? job.version() : registry.latestVersion();
    registry.requireVerified(version);
    ModelManifest manifest = registry.manifest(version);
    ModelManifest.DataWindow window = manifest.dataWindow();
    JobStages.describe(spark, "evaluate-" + version, "evaluate " + version + ": score the holdout and compute metrics");

    List<LocalDate> dates = window.dates().stream().map(LocalDate::parse).toList();
    HoldoutSplit split = HoldoutSplit.of(window);
    Dataset<Row> rows = TrainingFrames.withLabel(new PartitionedTable(spark, layout.features()).read(dates), manifest.label());
    Dataset<Row> holdout = TrainingFrames.holdout(rows, split).persist(StorageLevel.MEMORY_AND_DISK());
    PipelineModel model = registry.loadModel(version);
    Task task = Task.of(model);
    Dataset<Row> predictions = model.transform(holdout).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      if (predictions.isEmpty()) {
        throw GlmpipeException.dataContract("the holdout of version " + version + " is empty");
      }
      double threshold = threshold(ec, manifest, model, rows, split);
      HoldoutEvaluator.Evaluation evaluation = HoldoutEvaluator.evaluate(predictions, task, threshold,
          ec.threshold().mode().name().toLowerCase(Locale.ROOT), ec);

      Optional<ModelRegistry.Alias> championAlias = registry.alias(ModelRegistry.CHAMPION)
          .filter(a -> !a.version().equals(version));
      EvaluationReport.ChampionMetrics champion = null;
      if (championAlias.isPresent()) {
        JobStages.describe(spark, "evaluate-" + version, "evaluate " + version + ": score the same holdout with the champion");
        String cv = registry.verifiedChampion();
        PipelineModel championModel = registry.loadModel(cv);
        Dataset<Row> championPredictions = championModel.transform(holdout);
        // The same operating threshold for both, so threshold metrics compare like with like.
        champion = new EvaluationReport.ChampionMetrics(cv, registry.manifestSha256(cv),
            HoldoutEvaluator.metrics(championPredictions, Task.of(championModel), threshold));
      }
      EvaluationReport.GateDecision gate = QualityGate.decide(evaluation.metrics(),
          champion == null ? null : champion.version(), champion == null ? null : champion.metrics(), ec);

      EvaluationReport report = new EvaluationReport(c.model().name(), version, ZonedDateTime.now(ZoneOffset.UTC).toString(),
          registry.manifestSha256(version), task.id(), evaluation.rows(), evaluation.metrics(), evaluation.interval(),
          evaluation.binary(), evaluation.regression(), evaluation.multiclass(), evaluation.slices(), champion, gate,
          gate.passed(), gate.reasons(), registry.reportPath(version).toString());
      JsonFiles.replaceAtomically(hadoop, registry.evaluationPath(version), report);
      String html = HtmlReport.render(report, manifest, coefficients(model, manifest));
      JsonFiles.replaceAtomically(hadoop, registry.reportPath(version), html.getBytes(StandardCharsets.UTF_8));
      if (!gate.passed()) {
        throw GlmpipeException.modelRejected("version " + version + " rejected: " + String.join("; ", gate.reasons())
            + " (report: " + registry.evaluationPath(version) + ")");
      }
      return new Result("evaluate", c.model().name(), version, task.id(), evaluation.rows(), evaluation.metrics(),
          gate.championVersion(), true, gate.reasons(), registry.evaluationPath(version).toString(),
          registry.reportPath(version).toString());
    } finally {
      predictions.unpersist();
      holdout.unpersist();
    }
  }

  /** Fixed (the configured value, else the model's own), or the best F1 on training rows. */
  private static double threshold(EvaluateConfig ec, ModelManifest manifest, PipelineModel model, Dataset<Row> rows,
      HoldoutSplit split) {
    if (ec.threshold().mode() == EvaluateConfig.ThresholdMode.FIXED) {
      if (ec.threshold().value() != null) {
        return ec.threshold().value();
      }
      Object own = manifest.params() == null ? null : manifest.params().get("threshold");
      return own instanceof Number n ? n.doubleValue() : 0.5;
    }
    Dataset<Row> training = TrainingFrames.training(rows, split);
    // Train recorded how many rows it trained on: no pass over them just to size the sample.
    Long recorded = manifest.rowCounts() == null ? null : manifest.rowCounts().get("train");
    long n = recorded != null ? recorded : training.count();
    Dataset<Row> sample = n <= THRESHOLD_ROWS ? training : training.sample(false, Math.min(1.0, 1.2 * THRESHOLD_ROWS / n), 7L);
    return HoldoutEvaluator.maxF1Threshold(model.transform(sample));
  }

  /** Named coefficients for the report; a model they cannot be read from gets none. */
  private static List<ModelCoefficients.Coefficient> coefficients(PipelineModel model, ModelManifest manifest) {
    try {
      return ModelCoefficients.of(model, ConfigBinder.bind(manifest.featureSpec(), FeaturesConfig.class)).byMagnitude();
    } catch (RuntimeException e) {
      LOG.warn("no coefficients in the report: {}", e.toString());
      return List.of();
    }
  }

  @Command(name = "evaluate", description = "Evaluate a model version on its holdout, compare with the champion and apply the gate.")
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
