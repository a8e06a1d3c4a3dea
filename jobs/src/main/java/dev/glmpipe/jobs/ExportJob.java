package dev.glmpipe.jobs;

import static org.apache.spark.sql.functions.col;

import dev.glmpipe.Columns;
import dev.glmpipe.Sql;
import dev.glmpipe.config.ConfigBinder;
import dev.glmpipe.config.ExportConfig;
import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.evaluate.HoldoutEvaluator;
import dev.glmpipe.evaluate.ReleaseCheck;
import dev.glmpipe.evaluate.Task;
import dev.glmpipe.export.OnnxExport;
import dev.glmpipe.export.OnnxParity;
import dev.glmpipe.export.PreprocessingParams;
import dev.glmpipe.io.JsonFiles;
import dev.glmpipe.io.PartitionedTable;
import dev.glmpipe.io.TableLayout;
import dev.glmpipe.registry.ModelManifest;
import dev.glmpipe.registry.ModelRegistry;
import dev.glmpipe.train.HoldoutSplit;
import dev.glmpipe.train.ModelCoefficients;
import dev.glmpipe.train.TrainingFrames;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Exports a version that passed evaluation — coefficients and every fitted preprocessing
 * parameter as JSON, and the whole pipeline as ONNX checked against Spark's scores on holdout
 * rows — then makes it the champion. Any failure promotes nothing.
 */
public final class ExportJob {
  static final String SPARK_SCORE = "__spark_score";

  public record Config(GlmpipeConfig config, String version) {}

  public record Result(String job, String model, String champion, String previous, String coefficientsPath,
      String onnxPath, OnnxParity.Report onnxParity) {}

  /** {@code onnx.json} beside {@code model.onnx}: how to feed it and how it was checked. */
  public record OnnxDescription(String model, String version, List<OnnxExport.Input> inputs, String output, int features,
      OnnxParity.Report parity) {}

  public Result run(SparkSession spark, Config job) {
    GlmpipeConfig c = job.config();
    ExportConfig ex = c.exportOrDefault();
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    TableLayout layout = TableLayout.of(c.storage());
    ModelRegistry registry = new ModelRegistry(hadoop, layout.models(), c.model().name());
    String version = job.version() != null ? job.version() : registry.latestVersion();
    ReleaseCheck.requirePassed(hadoop, registry, version);
    registry.requireVerified(version);

    PipelineModel model = registry.loadModel(version);
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
    doc.put("feature_order", manifest.features());
    doc.put("preprocessing", PreprocessingParams.of(model, spec));
    Path file = new Path(registry.exportDir(version), "coefficients.json");

    String onnxPath = null;
    OnnxParity.Report parity = null;
    if (ex.onnx()) {
      JobStages.describe(spark, "export-" + version, "export " + version + ": ONNX graph, checked against Spark on holdout rows");
      OnnxExport.Result onnx = OnnxExport.build(model, spec, c.model().name(), version);
      parity = OnnxParity.check(onnx, sparkScores(spark, layout, manifest, model, onnx, ex.parityRows()), SPARK_SCORE, ex.maxAbsDiff());
      Path onnxFile = new Path(registry.exportDir(version), "model.onnx");
      JsonFiles.replaceAtomically(hadoop, onnxFile, onnx.model());
      JsonFiles.replaceAtomically(hadoop, new Path(registry.exportDir(version), "onnx.json"),
          new OnnxDescription(c.model().name(), version, onnx.inputs(), OnnxExport.OUTPUT, onnx.features(), parity));
      onnxPath = onnxFile.toString();
    }
    JsonFiles.replaceAtomically(hadoop, file, doc);

    String previous = registry.alias(ModelRegistry.CHAMPION).map(ModelRegistry.Alias::version).orElse(null);
    registry.promote(version);
    return new Result("export", c.model().name(), version, previous, file.toString(), onnxPath, parity);
  }

  /** Up to {@code limit} holdout rows: every ONNX input column and Spark's score of the row. */
  private static List<Row> sparkScores(SparkSession spark, TableLayout layout, ModelManifest manifest, PipelineModel model,
      OnnxExport.Result onnx, int limit) {
    ModelManifest.DataWindow w = manifest.dataWindow();
    List<LocalDate> dates = w.dates().stream().map(LocalDate::parse).toList();
    Dataset<Row> holdout = TrainingFrames.holdout(
        TrainingFrames.withLabel(new PartitionedTable(spark, layout.features()).read(dates), manifest.label()),
        HoldoutSplit.of(w)).limit(limit);
    Column score = Task.of(model) == Task.BINARY ? HoldoutEvaluator.score() : col(Columns.PREDICTION);
    List<Column> columns = new ArrayList<>();
    onnx.inputs().forEach(i -> columns.add(Sql.column(i.name()).as(i.name())));
    columns.add(score.as(SPARK_SCORE));
    return model.transform(holdout).select(columns.toArray(Column[]::new)).collectAsList();
  }

  @Command(name = "export", description = "Export a passed version (JSON, ONNX checked against Spark) and promote it to champion.")
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
