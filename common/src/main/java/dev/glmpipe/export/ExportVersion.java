package dev.glmpipe.export;

import static org.apache.spark.sql.functions.col;

import dev.glmpipe.Columns;
import dev.glmpipe.RunFigures;
import dev.glmpipe.Sql;
import dev.glmpipe.config.ExportConfig;
import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.evaluate.HoldoutEvaluator;
import dev.glmpipe.evaluate.ReleaseCheck;
import dev.glmpipe.evaluate.Task;
import dev.glmpipe.features.FittedPlan;
import dev.glmpipe.io.JsonFiles;
import dev.glmpipe.registry.AliasStore;
import dev.glmpipe.registry.ExportStore;
import dev.glmpipe.registry.ModelRegistry;
import dev.glmpipe.registry.ModelVersion;
import dev.glmpipe.runs.PipelineContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The export operation: a version that passed evaluation is exported — coefficients and every
 * fitted preprocessing parameter as JSON, and the whole pipeline as ONNX checked against
 * Spark's scores on holdout rows — then made the champion. Any failure promotes nothing. The
 * files are published once per version ({@link ExportStore}): exporting a version again verifies
 * and reuses them.
 *
 * <pre>ExportVersion.of(context).version(id).execute()</pre>
 */
public final class ExportVersion {
  static final String SPARK_SCORE = "__spark_score";

  /**
   * {@code reused}: the version's exports were already published, and were verified and kept as
   * they are. {@code promotedAt}: when this run made {@code champion} the champion; null when it
   * already was.
   */
  public record Result(String job, String model, String champion, String previous, String coefficientsPath,
      String onnxPath, OnnxParity.Report onnxParity, boolean reused, String promotedAt) implements RunFigures.Source {
    /** Only a run that promoted says since when: a re-export must not reset the champion's age. */
    @Override
    public RunFigures runFigures() {
      Map<String, Double> since = promotedAt == null ? null : Map.of("champion_since_timestamp_seconds",
          java.time.OffsetDateTime.parse(promotedAt).toInstant().toEpochMilli() / 1000.0);
      return new RunFigures(null, null, null, champion, null, since);
    }
  }

  public static final String COEFFICIENTS_JSON = "coefficients.json";
  public static final String MODEL_ONNX = "model.onnx";
  public static final String ONNX_JSON = "onnx.json";

  private static final Logger LOG = LoggerFactory.getLogger(ExportVersion.class);

  /** {@code onnx.json} beside {@code model.onnx}: how to feed it and how it was checked. */
  public record OnnxDescription(String model, String version, List<OnnxExport.Input> inputs, String output, int features,
      OnnxParity.Report parity) {}

  private final PipelineContext context;
  private String versionId;

  private ExportVersion(PipelineContext context) {
    this.context = context;
  }

  public static ExportVersion of(PipelineContext context) {
    return new ExportVersion(context);
  }

  /** The version to export; the newest one when not called or null. */
  public ExportVersion version(String id) {
    this.versionId = id;
    return this;
  }

  public Result execute() {
    ExportConfig ex = context.config().exportOrDefault();
    Configuration hadoop = context.hadoop();
    ModelRegistry registry = context.registry();
    ModelVersion version = registry.versionOrLatest(versionId);
    ReleaseCheck.requirePassed(hadoop, registry, version);
    version.requireVerified();
    String id = version.id();
    ExportStore exports = registry.exports();

    Path dir;
    OnnxParity.Report parity = null;
    boolean reused = exports.exists(id);
    if (reused) {
      // Published exports are immutable: verified (exit 3 naming a changed file) and reused as they are.
      dir = exports.requireVerified(id);
      LOG.info("the exports of {} are published and verify: reused, not rewritten", id);
      Path description = new Path(dir, ONNX_JSON);
      if (exists(hadoop, description)) {
        parity = JsonFiles.MAPPER.convertValue(JsonFiles.read(hadoop, description, com.fasterxml.jackson.databind.JsonNode.class)
            .get("parity"), OnnxParity.Report.class);
      }
    } else {
      // The version's own spec names its slots: today's config may have moved on since training.
      FeaturesConfig spec = version.spec();
      FittedPlan plan = version.plan();
      OnnxExport.Result onnx = null;
      if (ex.onnx()) {
        context.describe("export-" + id, "onnx", "export " + id + ": ONNX graph, checked against Spark on holdout rows");
        onnx = OnnxExport.build(plan, spec, version.model(), id);
        parity = OnnxParity.check(onnx, sparkScores(version, onnx, ex.parityRows()), SPARK_SCORE, ex.maxAbsDiff());
      }
      // Checked before anything is written; then published whole, with the checksum manifest last.
      OnnxExport.Result checked = onnx;
      OnnxParity.Report report = parity;
      Map<String, Object> coefficients = coefficientsDocument(version, plan, spec);
      dir = exports.publish(id, version.manifestSha256(), draft -> {
        if (checked != null) {
          JsonFiles.write(hadoop, new Path(draft, MODEL_ONNX), checked.model());
          JsonFiles.write(hadoop, new Path(draft, ONNX_JSON),
              new OnnxDescription(version.model(), id, checked.inputs(), OnnxExport.OUTPUT, checked.features(), report));
        }
        JsonFiles.write(hadoop, new Path(draft, COEFFICIENTS_JSON), coefficients);
      });
    }
    Path onnxFile = new Path(dir, MODEL_ONNX);
    String onnxPath = exists(hadoop, onnxFile) ? onnxFile.toString() : null;

    String previous = registry.aliases().versionOf(AliasStore.CHAMPION);
    String promotedAt = registry.aliases().promote(id, context.runId()).map(AliasStore.AliasChange::at).orElse(null);
    return new Result("export", version.model(), id, previous, new Path(dir, COEFFICIENTS_JSON).toString(), onnxPath,
        parity, reused, promotedAt);
  }

  private static boolean exists(Configuration hadoop, Path path) {
    try {
      return path.getFileSystem(hadoop).exists(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + path, e);
    }
  }

  /** {@code coefficients.json}: the weights by name and every fitted preprocessing parameter. */
  static Map<String, Object> coefficientsDocument(ModelVersion version, FittedPlan plan, FeaturesConfig spec) {
    return CoefficientsDocument.of(version.model(), version.id(), version.manifest().modelType(), version.manifest().features(),
        version.manifest().inputSchema(), plan, spec);
  }

  /** Up to {@code limit} holdout rows: every ONNX input column and Spark's score of the row. */
  private List<Row> sparkScores(ModelVersion version, OnnxExport.Result onnx, int limit) {
    PipelineModel model = version.pipeline();
    Column score = Task.of(model) == Task.BINARY ? HoldoutEvaluator.score() : col(Columns.PREDICTION);
    List<Column> columns = new ArrayList<>();
    onnx.inputs().forEach(i -> columns.add(Sql.column(i.name()).as(i.name())));
    columns.add(score.as(SPARK_SCORE));
    return model.transform(version.holdout(context.features()).limit(limit)).select(columns.toArray(Column[]::new))
        .collectAsList();
  }
}
