package dev.glmpipe.jobs;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.config.ConfigBinder;
import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.evaluate.EvaluationReport;
import dev.glmpipe.io.JsonFiles;
import dev.glmpipe.io.TableLayout;
import dev.glmpipe.registry.ModelManifest;
import dev.glmpipe.registry.ModelRegistry;
import dev.glmpipe.train.ModelCoefficients;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Writes a version's coefficients with feature names as JSON, then makes it the champion. Only
 * a version whose evaluation passed can be promoted.
 */
public final class ExportJob {
  public record Config(GlmpipeConfig config, String version) {}

  public record Result(String job, String model, String champion, String previous, String coefficientsPath) {}

  public Result run(SparkSession spark, Config job) {
    GlmpipeConfig c = job.config();
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    ModelRegistry registry = new ModelRegistry(hadoop, TableLayout.of(c.storage()).models(), c.model().name());
    String version = job.version() != null ? job.version() : registry.latestVersion();
    requirePassedEvaluation(hadoop, registry, version);

    PipelineModel model = PipelineModel.load(registry.modelDir(version).toString());
    // The version's own spec names its slots: today's config may have moved on since training.
    ModelManifest manifest = registry.manifest(version);
    FeaturesConfig spec = ConfigBinder.bind(manifest.featureSpec(), FeaturesConfig.class);
    ModelCoefficients coefficients = ModelCoefficients.of(model, spec);
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("model", c.model().name());
    doc.put("version", version);
    doc.put("model_type", manifest.modelType());
    doc.put("intercept", coefficients.intercept());
    doc.put("intercept_input_units", coefficients.interceptInputUnits());
    if (coefficients.intercepts() != null) {
      doc.put("intercepts", coefficients.intercepts());  // one per class of a multinomial model
    }
    doc.put("coefficients", coefficients.byMagnitude());
    Path file = new Path(registry.exportDir(version), "coefficients.json");
    JsonFiles.replaceAtomically(hadoop, file, doc);

    String previous = registry.alias(ModelRegistry.CHAMPION).map(ModelRegistry.Alias::version).orElse(null);
    registry.promote(version);
    return new Result("export", c.model().name(), version, previous, file.toString());
  }

  private static void requirePassedEvaluation(Configuration hadoop, ModelRegistry registry, String version) {
    Path path = registry.evaluationPath(version);
    try {
      if (!path.getFileSystem(hadoop).exists(path)) {
        throw GlmpipeException.usage("version " + version + " has not been evaluated: run evaluate first");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + path, e);
    }
    EvaluationReport report = JsonFiles.read(hadoop, path, EvaluationReport.class);
    if (!report.passed()) {
      throw GlmpipeException.modelRejected("version " + version + " failed evaluation and cannot be promoted: "
          + String.join("; ", report.failures()));
    }
  }

  @Command(name = "export", description = "Export a passed version's coefficients and promote it to champion.")
  static final class Cli extends JobCommand<Config> {
    @Mixin VersionOption version;

    @Override
    protected Config jobConfig(GlmpipeConfig config) {
      return new Config(config, version.version);
    }

    @Override
    protected Object run(SparkSession spark, Config config) {
      return new ExportJob().run(spark, config);
    }
  }
}
