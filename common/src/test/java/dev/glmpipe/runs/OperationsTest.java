package dev.glmpipe.runs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glmpipe.config.ConfigLoader;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.contract.Preprocess;
import dev.glmpipe.datagen.SampleData;
import dev.glmpipe.evaluate.EvaluateVersion;
import dev.glmpipe.export.ExportVersion;
import dev.glmpipe.io.DateRange;
import dev.glmpipe.registry.AliasStore;
import dev.glmpipe.registry.ModelVersion;
import dev.glmpipe.score.ScoreDates;
import dev.glmpipe.testing.SharedSpark;
import dev.glmpipe.train.TrainModel;
import dev.glmpipe.train.TrainingRun;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operations called directly, without the launcher, on one context: each returns its typed
 * result, and each result agrees with what the step before it produced.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperationsTest {
  private static final DateRange WINDOW = new DateRange(LocalDate.parse("2026-11-01"), LocalDate.parse("2026-11-03"));

  @TempDir static Path root;

  private PipelineContext context;
  private SampleData.Result generated;
  private Preprocess.Result preprocessed;
  private TrainingRun run;
  private ModelVersion version;

  private PipelineContext context() {
    if (context == null) {
      GlmpipeConfig config = ConfigLoader.load(List.of("../conf/local.yaml"), List.of(
          "storage.root=" + root.toUri(), "storage.tables.raw=raw", "datagen.rows_per_day=3000",
          "evaluate.bootstrap.replicates=0"));
      context = PipelineContext.of(SharedSpark.get(), config);
    }
    return context;
  }

  @Test
  @Order(1)
  void preprocessAccountsForEveryGeneratedRow() {
    generated = SampleData.of(context()).dates(WINDOW).execute();
    preprocessed = Preprocess.of(context()).dates(WINDOW).execute();
    assertThat(generated.rows()).isEqualTo(3 * 3000);
    assertThat(preprocessed.inputRows()).isEqualTo(generated.rows());
    assertThat(preprocessed.quarantinedRows()).isEqualTo(generated.brokenRows()).isPositive();
    assertThat(preprocessed.partitions()).hasSize(3).allMatch(Preprocess.Partition::published);
  }

  @Test
  @Order(2)
  void trainWritesNothingAndTheRegistryTurnsItsRunIntoAVersion() {
    run = TrainModel.of(context().spark(), context().config()).window(WINDOW).execute();
    assertThat(run.pass().trainRows() + run.pass().holdoutRows()).isEqualTo(preprocessed.validRows());
    assertThat(context().registry().versions().list()).as("train alone writes no version").isEmpty();

    version = context().registry().register(run);
    assertThat(context().registry().versions().list()).containsExactly(version.id());
    assertThat(version.manifest().rowCounts()).containsEntry("train", run.pass().trainRows())
        .containsEntry("holdout", run.pass().holdoutRows());
    assertThat(version.manifest().features()).isEqualTo(run.featureNames());
    assertThat(version.requireVerified().verify().ok()).isTrue();
    // The handle re-derives the split from the manifest: the same rows are held out.
    assertThat(version.holdout(context().features()).count()).isEqualTo(run.pass().holdoutRows());
    assertThat(version.pipeline()).as("read once").isSameAs(version.pipeline());
    assertThat(version.spec().numeric()).isEqualTo(context().config().features().numeric());
    TrainingRun.Result result = run.result(version.id(), version.dir().toString());
    assertThat(result.topCoefficients()).hasSizeLessThanOrEqualTo(10)
        .first().satisfies(w -> assertThat(w).isEqualTo(run.weights().get(0)));
  }

  @Test
  @Order(3)
  void evaluateThenExportMakesTheVersionChampion() {
    EvaluateVersion.Result evaluated = EvaluateVersion.of(context()).execute();
    assertThat(evaluated.version()).isEqualTo(version.id());
    assertThat(evaluated.holdoutRows()).isEqualTo(run.pass().holdoutRows());
    assertThat(evaluated.passed()).isTrue();

    ExportVersion.Result exported = ExportVersion.of(context()).version(version.id()).execute();
    assertThat(exported.champion()).isEqualTo(version.id());
    assertThat(exported.previous()).isNull();
    assertThat(context().registry().aliases().versionOf(AliasStore.CHAMPION)).isEqualTo(version.id());
    assertThat(context().registry().champion().requireVerified().id()).isEqualTo(version.id());
  }

  @Test
  @Order(4)
  void scoreWritesEveryValidRowOnceAndThenHasNothingNew() {
    ScoreDates.Result scored = ScoreDates.of(context()).dates(WINDOW).execute();
    assertThat(scored.modelVersion()).isEqualTo(version.id());
    assertThat(scored.rows()).isEqualTo(preprocessed.validRows());
    assertThat(scored.partitions()).hasSize(3);
    assertThat(scored.parityMaxDifference()).isNotNull().isLessThan(1e-9);

    ScoreDates.Result again = ScoreDates.of(context()).newOnly(false).execute();
    assertThat(again.partitions()).as("the ledger shows every date scored by the champion").isEmpty();
  }
}
