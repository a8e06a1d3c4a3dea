package dev.glmpipe.evaluate;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.RunFigures;
import dev.glmpipe.config.EvaluateConfig;
import dev.glmpipe.io.JsonFiles;
import dev.glmpipe.io.PartitionedTable;
import dev.glmpipe.registry.AliasStore;
import dev.glmpipe.registry.ModelManifest;
import dev.glmpipe.registry.ModelVersion;
import dev.glmpipe.runs.PipelineContext;
import dev.glmpipe.train.ModelCoefficients;
import dev.glmpipe.train.TrainingFrames;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The evaluate operation: scores a version's holdout (the rows its manifest set aside), and the
 * champion's on the same rows, computes the metrics and applies the gate. The JSON report and
 * the HTML report are saved either way; a rejection throws (exit 4) and promotes nothing.
 *
 * <pre>EvaluateVersion.of(context).version(id).execute()</pre>
 */
public final class EvaluateVersion {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluateVersion.class);
  /** Training rows scored to choose a max-F1 threshold. */
  private static final long THRESHOLD_ROWS = 100_000;

  public record Result(String job, String model, String version, String task, long holdoutRows, Map<String, Double> metrics,
      String champion, boolean passed, List<String> failures, String evaluationPath, String reportPath)
      implements RunFigures.Source {
    /** The holdout AUC is the gauge a dashboard follows across versions (logistic models only). */
    @Override
    public RunFigures runFigures() {
      Double auc = metrics == null ? null : metrics.get("auc_roc");
      return new RunFigures(holdoutRows, null, null, version, null,
          auc == null ? null : Map.of("evaluate_holdout_auc", auc));
    }
  }

  private final PipelineContext context;
  private String versionId;

  private EvaluateVersion(PipelineContext context) {
    this.context = context;
  }

  public static EvaluateVersion of(PipelineContext context) {
    return new EvaluateVersion(context);
  }

  /** The version to evaluate; the newest one when not called or null. */
  public EvaluateVersion version(String id) {
    this.versionId = id;
    return this;
  }

  public Result execute() {
    EvaluateConfig ec = context.config().evaluate();
    Configuration hadoop = context.hadoop();
    ModelVersion version = context.registry().versionOrLatest(versionId).requireVerified();
    String id = version.id();
    ModelManifest manifest = version.manifest();
    context.describe("evaluate-" + id, "evaluate", "evaluate " + id + ": score the holdout and compute metrics");

    PartitionedTable features = context.features();
    Dataset<Row> holdout = version.holdout(features).persist(StorageLevel.MEMORY_AND_DISK());
    PipelineModel model = version.pipeline();
    Task task = Task.of(model);
    Dataset<Row> predictions = model.transform(holdout).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      if (predictions.isEmpty()) {
        throw GlmpipeException.dataContract("the holdout of version " + id + " is empty");
      }
      double threshold = threshold(ec, version, features);
      HoldoutEvaluator.Evaluation evaluation = HoldoutEvaluator.evaluate(predictions, task, threshold,
          ec.threshold().mode().name().toLowerCase(Locale.ROOT), ec);

      EvaluationReport.ChampionMetrics champion = null;
      String championId = context.registry().aliases().versionOf(AliasStore.CHAMPION);
      if (championId != null && !championId.equals(id)) {
        context.describe("evaluate-" + id, "champion", "evaluate " + id + ": score the same holdout with the champion");
        ModelVersion current = context.registry().champion().requireVerified();
        PipelineModel championModel = current.pipeline();
        // The same operating threshold for both, so threshold metrics compare like with like.
        champion = new EvaluationReport.ChampionMetrics(current.id(), current.manifestSha256(),
            HoldoutEvaluator.metrics(championModel.transform(holdout), Task.of(championModel), threshold));
      }
      EvaluationReport.GateDecision gate = QualityGate.decide(evaluation.metrics(),
          champion == null ? null : champion.version(), champion == null ? null : champion.metrics(), ec);

      context.phase("report");
      EvaluationReport report = new EvaluationReport(version.model(), id, ZonedDateTime.now(ZoneOffset.UTC).toString(),
          context.runId(), version.manifestSha256(), task.id(), evaluation.rows(), evaluation.metrics(), evaluation.interval(),
          evaluation.binary(), evaluation.regression(), evaluation.multiclass(), evaluation.slices(), champion, gate,
          gate.passed(), gate.reasons(), version.reportPath().toString());
      JsonFiles.replaceAtomically(hadoop, version.evaluationPath(), report);
      String html = HtmlReport.render(report, manifest, coefficients(version));
      JsonFiles.replaceAtomically(hadoop, version.reportPath(), html.getBytes(StandardCharsets.UTF_8));
      if (!gate.passed()) {
        throw GlmpipeException.modelRejected("version " + id + " rejected: " + String.join("; ", gate.reasons())
            + " (report: " + version.evaluationPath() + ")");
      }
      return new Result("evaluate", version.model(), id, task.id(), evaluation.rows(), evaluation.metrics(),
          gate.championVersion(), true, gate.reasons(), version.evaluationPath().toString(), version.reportPath().toString());
    } finally {
      predictions.unpersist();
      holdout.unpersist();
    }
  }

  /** Fixed (the configured value, else the model's own), or the best F1 on training rows. */
  private static double threshold(EvaluateConfig ec, ModelVersion version, PartitionedTable features) {
    ModelManifest manifest = version.manifest();
    if (ec.threshold().mode() == EvaluateConfig.ThresholdMode.FIXED) {
      if (ec.threshold().value() != null) {
        return ec.threshold().value();
      }
      Object own = manifest.params() == null ? null : manifest.params().get("threshold");
      return own instanceof Number n ? n.doubleValue() : 0.5;
    }
    Dataset<Row> training = TrainingFrames.training(version.windowRows(features), version.split());
    // Train recorded how many rows it trained on: no pass over them just to size the sample.
    Long recorded = manifest.rowCounts() == null ? null : manifest.rowCounts().get("train");
    long n = recorded != null ? recorded : training.count();
    Dataset<Row> sample = n <= THRESHOLD_ROWS ? training : training.sample(false, Math.min(1.0, 1.2 * THRESHOLD_ROWS / n), 7L);
    return HoldoutEvaluator.maxF1Threshold(version.pipeline().transform(sample));
  }

  /** Named coefficients for the report; a model they cannot be read from gets none. */
  private static List<ModelCoefficients.Coefficient> coefficients(ModelVersion version) {
    try {
      return ModelCoefficients.of(version.plan()).byMagnitude();
    } catch (RuntimeException e) {
      LOG.warn("no coefficients in the report: {}", e.toString());
      return List.of();
    }
  }
}
