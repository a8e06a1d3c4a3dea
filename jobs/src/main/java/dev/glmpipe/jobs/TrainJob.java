package dev.glmpipe.jobs;

import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.features.FeaturePipeline;
import dev.glmpipe.features.FeatureSpecHash;
import dev.glmpipe.features.FittedFeatures;
import dev.glmpipe.io.DateRange;
import dev.glmpipe.io.JsonFiles;
import dev.glmpipe.io.PartitionedTable;
import dev.glmpipe.io.TableLayout;
import dev.glmpipe.monitor.FeatureProfile;
import dev.glmpipe.registry.ModelManifest;
import dev.glmpipe.registry.ModelRegistry;
import dev.glmpipe.train.ModelTrainer;
import dev.glmpipe.train.TrainingFrames;
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

  public record Result(String job, String model, String version, String path, long trainRows, long holdoutRows,
      int iterations, int features) {}

  public Result run(SparkSession spark, Config job) {
    GlmpipeConfig c = job.config();
    TableLayout layout = TableLayout.of(c.storage());
    List<LocalDate> dates = job.window().dates();
    String group = "train-" + job.window();
    JobStages.describe(spark, group, "train " + job.window() + ": read features and count the split");
    Dataset<Row> rows = TrainingFrames.withLabel(
        new PartitionedTable(spark, layout.features()).read(dates), c.dataset().label());
    Row counts = rows.agg(count(lit(1)), sum(when(TrainingFrames.isHoldout(c.train().holdout()), 1L).otherwise(0L))).first();
    long holdoutRows = counts.isNullAt(1) ? 0 : counts.getLong(1);
    long trainRows = counts.getLong(0) - holdoutRows;
    if (trainRows == 0) {
      throw dev.glmpipe.GlmpipeException.dataContract("no training rows in features for " + job.window());
    }

    JobStages.describe(spark, group, "train " + job.window() + ": fit features and " + c.model().type().name().toLowerCase(Locale.ROOT) + " regression");
    ModelTrainer trainer = new ModelTrainer(c.features(), c.model());
    Dataset<Row> training = TrainingFrames.training(rows, c.train().holdout());
    ModelTrainer.TrainedModel trained = trainer.fit(training);
    List<String> featureNames = FittedFeatures.names(trained.pipeline(), c.features());
    JobStages.describe(spark, group, "train " + job.window() + ": profile every feature on the training rows");
    FeatureProfile profile = FeatureProfile.compute(training, c.features());

    ModelRegistry registry = new ModelRegistry(spark.sparkContext().hadoopConfiguration(), layout.models(), c.model().name());
    JobStages.describe(spark, group, "train " + job.window() + ": write model version");
    String version = registry.createVersion(draft -> {
      try {
        trained.pipeline().write().save(draft.modelDir().toString());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot save model to " + draft.modelDir(), e);
      }
      JsonFiles.write(spark.sparkContext().hadoopConfiguration(), new Path(draft.dir(), FeatureProfile.FILE), profile);
      Map<String, Long> rowCounts = new LinkedHashMap<>();
      rowCounts.put("train", trainRows);
      rowCounts.put("holdout", holdoutRows);
      ModelManifest manifest = new ModelManifest(
          c.model().name(), draft.version(), draft.createdAt(),
          c.model().type().name().toLowerCase(Locale.ROOT), c.dataset().label(), c.dataset().keyColumns(),
          new ModelManifest.DataWindow(job.window().from().toString(), job.window().to().toString(),
              dates.stream().map(LocalDate::toString).toList(),
              c.train().holdout().column(), c.train().holdout().fraction()),
          rowCounts, trainer.params(), FeaturePipeline.inputColumns(c.features()), featureNames,
          c.features().toTree(), FeatureSpecHash.of(c.features()), FeatureProfile.FILE,
          new ModelManifest.TrainingSummary(trained.iterations(),
              Arrays.stream(trained.objectiveHistory()).boxed().toList()),
          spark.version(), CodeVersion.get(),
          inputSchema(rows, FeaturePipeline.inputColumns(c.features())), null);
      return manifest;  // the registry adds file checksums and writes it last
    });
    return new Result("train", c.model().name(), version, registry.versionDir(version).toString(),
        trainRows, holdoutRows, trained.iterations(), featureNames.size());
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
