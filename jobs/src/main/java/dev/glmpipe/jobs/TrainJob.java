package dev.glmpipe.jobs;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.config.ModelConfig;
import dev.glmpipe.features.FeaturePipeline;
import dev.glmpipe.features.FeatureSpecHash;
import dev.glmpipe.features.FittedPlan;
import dev.glmpipe.io.DateRange;
import dev.glmpipe.io.JsonFiles;
import dev.glmpipe.io.PartitionedTable;
import dev.glmpipe.io.TableLayout;
import dev.glmpipe.monitor.FeatureProfile;
import dev.glmpipe.registry.ModelManifest;
import dev.glmpipe.registry.ModelRegistry;
import dev.glmpipe.train.ConvergenceCheck;
import dev.glmpipe.train.HoldoutSplit;
import dev.glmpipe.train.ModelCoefficients;
import dev.glmpipe.train.ModelTrainer;
import dev.glmpipe.train.TrainingFrames;
import dev.glmpipe.train.TrainingPass;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Features for a date window → fitted feature pipeline + linear model → new registry version. */
public final class TrainJob {
  public record Config(GlmpipeConfig config, DateRange window) {}

  /**
   * @param convergence what the convergence check found and what the job decided
   * @param topCoefficients the largest weights by absolute value (all of them are in the manifest)
   */
  public record Result(String job, String model, String version, String path, long trainRows, long holdoutRows,
      int iterations, int features, String solver, ModelManifest.Convergence convergence,
      List<ModelManifest.Coefficient> topCoefficients, Map<String, Double> tuningBest) {}

  /** Coefficients the one-line result shows; the manifest has every one. */
  static final int TOP_COEFFICIENTS = 10;

  public Result run(SparkSession spark, Config job) {
    GlmpipeConfig c = job.config();
    TableLayout layout = TableLayout.of(c.storage());
    List<LocalDate> dates = job.window().dates();
    String group = "train-" + job.window();
    HoldoutSplit split = HoldoutSplit.of(c.train().holdout(), dates);
    boolean logistic = c.model().type() == ModelConfig.ModelType.LOGISTIC;
    JobStages.describe(spark, group, "train " + job.window() + ": one read for split and label counts, feature statistics and profile");
    Dataset<Row> rows = TrainingFrames.withLabel(
        new PartitionedTable(spark, layout.features()).read(dates), c.dataset().label());
    TrainingPass pass = TrainingPass.run(rows, split.isHoldout(), c.features(), logistic, true);

    JobStages.describe(spark, group, "train " + job.window() + ": assemble the training matrix and fit "
        + c.model().type().name().toLowerCase(Locale.ROOT) + " regression (" + c.model().solver().name().toLowerCase(Locale.ROOT) + ")");
    ModelTrainer trainer = new ModelTrainer(c.features(), c.model(), c.train().tuning(), c.dataset().keyColumns());
    ModelTrainer.TrainedModel trained = trainer.fit(TrainingFrames.training(rows, split), pass);
    ModelManifest.Convergence convergence = decide(trained.convergence(), c.train().allowNonConvergence());
    List<String> featureNames = FittedPlan.of(trained.pipeline(), c.features()).slotNames();
    ModelCoefficients coefficients = ModelCoefficients.of(trained.pipeline(), c.features());
    List<ModelManifest.Coefficient> sorted = coefficients.byMagnitude().stream()
        .map(k -> new ModelManifest.Coefficient(k.feature(), k.value(), k.valueInputUnits(), k.outcome())).toList();
    Map<String, Object> params = trainer.params();
    if (trained.tuning() != null) {
      // The parameters the version was fitted with.
      trained.tuning().best().forEach((k, v) -> params.put(k, k.equals("max_iter") ? (Object) (int) Math.round(v) : v));
    }
    params.put("aggregation_depth", trained.layout().aggregationDepth());

    ModelRegistry registry = new ModelRegistry(spark.sparkContext().hadoopConfiguration(), layout.models(), c.model().name());
    JobStages.describe(spark, group, "train " + job.window() + ": write model version");
    String version = registry.createVersion(draft -> {
      try {
        trained.pipeline().write().save(draft.modelDir().toString());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot save model to " + draft.modelDir(), e);
      }
      JsonFiles.write(spark.sparkContext().hadoopConfiguration(), new Path(draft.dir(), FeatureProfile.FILE), pass.profile());
      Map<String, Long> rowCounts = new LinkedHashMap<>();
      rowCounts.put("train", pass.trainRows());
      rowCounts.put("holdout", pass.holdoutRows());
      ModelManifest manifest = new ModelManifest(
          c.model().name(), draft.version(), draft.createdAt(),
          c.model().type().name().toLowerCase(Locale.ROOT), c.dataset().label(), c.dataset().keyColumns(),
          new ModelManifest.DataWindow(job.window().from().toString(), job.window().to().toString(),
              dates.stream().map(LocalDate::toString).toList(),
              split.column(), split.fraction(), split.byName(), split.holdoutDates().isEmpty() ? null : split.holdoutDates()),
          rowCounts, params, FeaturePipeline.inputColumns(c.features()), featureNames,
          c.features().toTree(), FeatureSpecHash.of(c.features()), FeatureProfile.FILE,
          new ModelManifest.TrainingSummary(trained.iterations(),
              Arrays.stream(trained.objectiveHistory()).boxed().toList(), trained.solver(), convergence,
              coefficients.intercept(), intercepts(coefficients), sorted, trained.coefficientStatistics(),
              trained.classWeights(), trained.tuning()),
          spark.version(), CodeVersion.get(),
          inputSchema(rows, FeaturePipeline.inputColumns(c.features())), null);
      return manifest;  // the registry adds file checksums and writes it last
    });
    return new Result("train", c.model().name(), version, registry.versionDir(version).toString(),
        pass.trainRows(), pass.holdoutRows(), trained.iterations(), featureNames.size(), trained.solver(), convergence,
        sorted.subList(0, Math.min(TOP_COEFFICIENTS, sorted.size())),
        trained.tuning() == null ? null : trained.tuning().best());
  }

  /**
   * The convergence policy: a model that did not converge is rejected (exit 4) before anything
   * is written, unless train.allow_non_convergence says to keep it anyway.
   */
  static ModelManifest.Convergence decide(ConvergenceCheck.Convergence check, boolean allowNonConvergence) {
    if (check.converged()) {
      return new ModelManifest.Convergence(check.status(), true, check.reason(), "accepted");
    }
    if (!allowNonConvergence) {
      throw GlmpipeException.modelRejected("model rejected, not converged (" + check.status() + "): " + check.reason()
          + "; no version written (raise model.max_iter, adjust the solver, or set train.allow_non_convergence: true)");
    }
    return new ModelManifest.Convergence(check.status(), false, check.reason(), "accepted_not_converged");
  }

  private static List<ModelManifest.Intercept> intercepts(ModelCoefficients coefficients) {
    return coefficients.intercepts() == null ? null
        : coefficients.intercepts().stream().map(i -> new ModelManifest.Intercept(i.outcome(), i.intercept())).toList();
  }

  private static List<ModelManifest.SchemaField> inputSchema(Dataset<Row> rows, List<String> columns) {
    return columns.stream().map(n -> rows.schema().apply(n))
        .map(f -> new ModelManifest.SchemaField(f.name(), f.dataType().simpleString(), f.nullable())).toList();
  }

  @Command(name = "train", description = "Fit the feature spec and model on a window of feature partitions; register a new version.")
  static final class Cli extends JobCommand<Config> {
    @Mixin DateOptions dates;

    @Override
    protected Config jobConfig(GlmpipeConfig config) {
      return new Config(config, dates.range());
    }

    @Override
    protected Object run(SparkSession spark, Config config) {
      return new TrainJob().run(spark, config);
    }
  }
}
