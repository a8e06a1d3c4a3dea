package dev.glmpipe.jobs;

import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.io.DateRange;
import dev.glmpipe.io.PartitionedTable;
import dev.glmpipe.io.TableLayout;
import dev.glmpipe.registry.ModelManifest;
import dev.glmpipe.registry.ModelRegistry;
import dev.glmpipe.score.PipelineScorer;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Scores feature partitions with the champion into {@code scores/<model>/dt=…}. Rerunning a
 * date replaces that partition and nothing else.
 */
public final class ScoreJob {
  public record Config(GlmpipeConfig config, DateRange dates) {}

  public record Partition(String dt, long rows, String path) {}

  public record Result(String job, String model, String modelVersion, long rows, List<Partition> partitions) {}

  public Result run(SparkSession spark, Config job) {
    GlmpipeConfig c = job.config();
    TableLayout layout = TableLayout.of(c.storage());
    ModelRegistry registry = new ModelRegistry(spark.sparkContext().hadoopConfiguration(), layout.models(), c.model().name());
    // Every file of the champion is checked against its manifest first: a tampered or damaged
    // model is refused (exit 3) before it scores anything.
    String version = registry.verifiedChampion();
    ModelManifest manifest = registry.manifest(version);
    PipelineModel model = PipelineModel.load(registry.modelDir(version).toString());
    PipelineScorer scorer = new PipelineScorer(model, "logistic".equals(manifest.modelType()), c.model().name(), version);

    PartitionedTable features = new PartitionedTable(spark, layout.features());
    PartitionedTable scores = new PartitionedTable(spark, layout.scores(c.model().name()));
    // Check every date first: a run that will fail on day 5 should fail before writing day 1.
    features.requireCommitted(job.dates().dates());
    List<Partition> done = new ArrayList<>();
    for (LocalDate dt : job.dates().dates()) {
      JobStages.describe(spark, "score-" + dt, "score dt=" + dt + " with " + c.model().name() + " " + version);
      scores.overwrite(scorer.score(features.read(List.of(dt)).drop(PartitionedTable.DT),
          c.dataset().keyColumns(), c.score().passThroughOrEmpty()), dt);
      long rows = spark.read().parquet(scores.partition(dt).toString()).count();
      done.add(new Partition(dt.toString(), rows, scores.partition(dt).toString()));
    }
    return new Result("score", c.model().name(), version, done.stream().mapToLong(Partition::rows).sum(), done);
  }

  @Command(name = "score", description = "Score feature partitions with the champion model.")
  static final class Cli extends JobCommand<Config> {
    @Mixin DateOptions dates;

    @Override
    protected Config jobConfig(GlmpipeConfig config) {
      return new Config(config, dates.range());
    }

    @Override
    protected Object run(SparkSession spark, Config config) {
      return new ScoreJob().run(spark, config);
    }
  }
}
