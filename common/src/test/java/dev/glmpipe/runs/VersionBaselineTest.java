package dev.glmpipe.runs;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.config.ConfigLoader;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.contract.Preprocess;
import dev.glmpipe.datagen.SampleData;
import dev.glmpipe.evaluate.HoldoutEvaluator;
import dev.glmpipe.io.DateRange;
import dev.glmpipe.io.JsonFiles;
import dev.glmpipe.io.PartitionedTable;
import dev.glmpipe.baseline.Baseline;
import dev.glmpipe.baseline.BinnedCounts;
import dev.glmpipe.registry.Baselines;
import dev.glmpipe.registry.FileChecksums;
import dev.glmpipe.registry.ModelManifest;
import dev.glmpipe.registry.ModelVersion;
import dev.glmpipe.testing.SharedSpark;
import dev.glmpipe.testing.SparkJobs;
import dev.glmpipe.train.TrainModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** A trained version's own baseline, and the one rebuilt for a version trained before baselines. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VersionBaselineTest {
  private static final DateRange WINDOW = new DateRange(LocalDate.parse("2026-11-01"), LocalDate.parse("2026-11-03"));

  @TempDir static Path root;

  private PipelineContext context;
  private ModelVersion version;
  private Baseline trained;

  private PipelineContext context() {
    if (context == null) {
      GlmpipeConfig config = ConfigLoader.load(List.of("../conf/local.yaml"), List.of(
          "storage.root=" + root.toUri(), "storage.tables.raw=raw", "datagen.rows_per_day=1500"));
      context = PipelineContext.of(SharedSpark.get(), config);
    }
    return context;
  }

  private Path versionDir() {
    return Path.of(version.dir().toUri());
  }

  @Test
  @Order(1)
  void aTrainedVersionHasItsBaselineChecksummed() {
    SampleData.of(context()).dates(WINDOW).execute();
    Preprocess.of(context()).dates(WINDOW).execute();
    version = context().registry().register(TrainModel.of(context().spark(), context().config()).window(WINDOW).execute());

    assertThat(versionDir().resolve(Baseline.FILE)).exists();
    assertThat(version.manifest().files()).containsKey(Baseline.FILE);
    assertThat(version.verify().ok()).isTrue();
    trained = version.baseline().orElseThrow();
    assertThat(trained.modelVersion()).isEqualTo(version.id());
    assertThat(trained.source()).isEqualTo(Baseline.TRAIN);
    assertThat(trained.bins()).isEqualTo(context().config().monitorOrDefault().bins());
    assertThat(trained.rows()).isEqualTo(version.manifest().rowCounts().get("train"));
    assertThat(trained.scoreRows()).isEqualTo(version.manifest().rowCounts().get("holdout")).isPositive();
    assertThat(trained.chunks()).extracting(Baseline.Chunk::dt).containsExactly("2026-11-01", "2026-11-02", "2026-11-03");
  }

  @Test
  @Order(2)
  void theScoreCountsEqualTheHoldoutScoredIndependently() {
    Baseline.Column score = trained.score();
    Dataset<Row> scored = version.pipeline().transform(version.holdout(context().features()))
        .select(HoldoutEvaluator.score().as(score.name()), col(PartitionedTable.DT).cast("string").as("dt")).cache();
    assertThat(score.counts()).containsExactlyElementsOf(counts(scored, score));
    assertThat(score.counts().get(0)).isZero();
    for (Baseline.Chunk chunk : trained.chunks()) {
      Dataset<Row> day = scored.where(col("dt").equalTo(chunk.dt()));
      assertThat(chunk.scoreCounts()).as(chunk.dt()).containsExactlyElementsOf(counts(day, score));
      assertThat(chunk.scoreRows()).isEqualTo(day.count());
    }
    scored.unpersist();
  }

  @Test
  @Order(3)
  void tamperingWithTheBaselineFailsVerification() throws IOException {
    Path file = versionDir().resolve(Baseline.FILE);
    byte[] original = Files.readAllBytes(file);
    Files.writeString(file, Files.readString(file).replaceFirst("\"rows\" : [0-9]+", "\"rows\" : 1"));
    try {
      assertThat(version.verify().ok()).isFalse();
    } finally {
      Files.write(file, original);
    }
    assertThat(version.verify().ok()).isTrue();
  }

  @Test
  @Order(4)
  void anOldVersionGetsItsBaselineRebuiltOnceOutsideTheVersion() throws IOException {
    makeOld();
    assertThat(version.baseline()).isEmpty();
    assertThat(version.verify().ok()).isTrue();
    Map<String, String> before = checksums();

    Baseline rebuilt = Baselines.forVersion(context().spark(), context().config(), version);

    assertThat(rebuilt.source()).isEqualTo(Baseline.REBUILT);
    assertThat(rebuilt.modelVersion()).isEqualTo(version.id());
    assertThat(rebuilt.rows()).isEqualTo(trained.rows());
    assertThat(rebuilt.features()).isEqualTo(trained.features());
    assertThat(rebuilt.score()).isEqualTo(trained.score());
    assertThat(rebuilt.chunks()).isEqualTo(trained.chunks());
    assertThat(checksums()).as("the version directory is untouched").isEqualTo(before);
    assertThat(Path.of(version.rebuiltBaselinePath().toUri())).exists();

    Baseline[] again = new Baseline[1];
    int jobs = SparkJobs.startedBy(context().spark(), () -> again[0] = Baselines.forVersion(context().spark(), context().config(), version));
    assertThat(jobs).as("read back, not rebuilt").isZero();
    assertThat(again[0]).isEqualTo(rebuilt);
  }

  @Test
  @Order(5)
  void aRebuildWithoutTheWindowsPartitionsFailsOnOneClearLine() throws IOException {
    Files.delete(Path.of(version.rebuiltBaselinePath().toUri()));
    Path partition = Path.of(context().features().partition(LocalDate.parse("2026-11-02")).toUri());
    Path aside = partition.resolveSibling("moved-away");
    Files.move(partition, aside);
    try {
      GlmpipeException e = catchThrowableOfType(
          () -> Baselines.forVersion(context().spark(), context().config(), version), GlmpipeException.class);
      assertThat(e.exitCode()).isEqualTo(GlmpipeException.EXIT_DATA_CONTRACT);
      assertThat(e.getMessage()).contains(version.id()).contains("2026-11-02").contains("retraining")
          .doesNotContain("2026-11-01").doesNotContain("\n");
      assertThat(Path.of(version.rebuiltBaselinePath().toUri())).doesNotExist();
    } finally {
      Files.move(aside, partition);
    }
  }

  /** As a version trained before baselines: no baseline.json, and none in its manifest's checksums. */
  private void makeOld() throws IOException {
    Files.delete(versionDir().resolve(Baseline.FILE));
    Files.deleteIfExists(versionDir().resolve("." + Baseline.FILE + ".crc"));
    ModelManifest manifest = version.manifest();
    Map<String, String> files = new TreeMap<>(manifest.files());
    files.remove(Baseline.FILE);
    JsonFiles.replaceAtomically(context().hadoop(), new org.apache.hadoop.fs.Path(version.dir(), "manifest.json"),
        manifest.withFiles(files));
    version = context().registry().version(version.id());  // a fresh handle: the manifest is read again
  }

  private Map<String, String> checksums() throws IOException {
    return FileChecksums.of(FileSystem.getLocal(context().hadoop()), version.dir(), null);
  }

  private static List<Long> counts(Dataset<Row> scored, Baseline.Column column) {
    BinnedCounts.Result r = BinnedCounts.count(scored.select(column.name()), List.of(column.bins()));
    return Arrays.stream(r.column(column.name()).counts()).boxed().toList();
  }
}
