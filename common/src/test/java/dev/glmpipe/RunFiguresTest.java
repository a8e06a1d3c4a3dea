package dev.glmpipe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glmpipe.contract.Preprocess;
import dev.glmpipe.datagen.SampleData;
import dev.glmpipe.evaluate.EvaluateVersion;
import dev.glmpipe.export.ExportVersion;
import dev.glmpipe.io.JsonFiles;
import dev.glmpipe.score.ScoreDates;
import dev.glmpipe.train.TrainingRun;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each job's result gives its run record the right figures, and prints none of them twice. */
class RunFiguresTest {
  @Test
  void preprocessCountsRowsInValidAndQuarantinedOverItsDates() {
    Preprocess.Result result = new Preprocess.Result("preprocess", 100, 93, 7, List.of(
        new Preprocess.Partition("2026-11-01", true, "f", "q", null, null),
        new Preprocess.Partition("2026-11-02", true, "f", "q", null, null)));
    assertThat(result.runFigures()).isEqualTo(
        new RunFigures(100L, 93L, 7L, null, List.of("2026-11-01", "2026-11-02"), Map.of()));
    assertNotPrinted(result);
  }

  @Test
  void scoreWritesEveryRowItReadsWithOneVersion() {
    ScoreDates.Result result = new ScoreDates.Result("score", "churn", "v1", "compiled", null, 30,
        List.of(new ScoreDates.Partition("2026-11-07", 10, "p"), new ScoreDates.Partition("2026-11-08", 20, "p")),
        0.0, null, null, null);
    assertThat(result.runFigures()).isEqualTo(new RunFigures(30L, 30L, null, "v1", List.of("2026-11-07", "2026-11-08"), null));
    assertNotPrinted(result);
  }

  @Test
  void datagenWritesRowsOfItsDays() {
    SampleData.Result result = new SampleData.Result("datagen", "raw", 6, 1, Map.of(), null, 0,
        List.of(new SampleData.Day("2026-11-01", "p", 6, 1, Map.of(), null, 0)));
    assertThat(result.runFigures()).isEqualTo(new RunFigures(null, 6L, null, null, List.of("2026-11-01"), null));
    assertNotPrinted(result);
  }

  @Test
  void trainReadsTrainingAndHoldoutRowsOfItsWindowWhichTheResultDoesNotPrint() {
    TrainingRun.Result result = new TrainingRun.Result("train", "churn", "v2", "p", 80, 20, 10, 5, "l-bfgs", null,
        List.of(), null, List.of("2026-11-01", "2026-11-02"));
    assertThat(result.runFigures()).isEqualTo(new RunFigures(100L, null, null, "v2", List.of("2026-11-01", "2026-11-02"), null));
    assertThat(JsonFiles.toJsonLine(result)).doesNotContain("2026-11-01").doesNotContain("window");
    assertNotPrinted(result);
  }

  @Test
  void evaluateGaugesTheHoldoutAucWhenThereIsOne() {
    EvaluateVersion.Result logistic = new EvaluateVersion.Result("evaluate", "churn", "v2", "binary", 20,
        Map.of("auc_roc", 0.8, "log_loss", 0.4), null, true, List.of(), "e", "r");
    assertThat(logistic.runFigures()).isEqualTo(new RunFigures(20L, null, null, "v2", null, Map.of("evaluate_holdout_auc", 0.8)));
    EvaluateVersion.Result linear = new EvaluateVersion.Result("evaluate", "churn", "v2", "regression", 20,
        Map.of("rmse", 1.0), null, true, List.of(), "e", "r");
    assertThat(linear.runFigures().gauges()).isEmpty();
    assertNotPrinted(logistic);
  }

  @Test
  void exportGaugesSinceWhenOnlyWhenItPromoted() {
    String at = "2026-11-08T03:00:00.250Z";
    ExportVersion.Result promoted = new ExportVersion.Result("export", "churn", "v2", "v1", "c", null, null, false, at);
    assertThat(promoted.runFigures().modelVersion()).isEqualTo("v2");
    assertThat(promoted.runFigures().gauges())
        .containsExactly(Map.entry("champion_since_timestamp_seconds", Instant.parse(at).toEpochMilli() / 1000.0));
    ExportVersion.Result again = new ExportVersion.Result("export", "churn", "v2", "v2", "c", null, null, true, null);
    assertThat(again.runFigures().gauges()).isEmpty();
    assertNotPrinted(promoted);
  }

  /** {@code runFigures()} is not a getter, so the printed result has no such field. */
  private static void assertNotPrinted(Object result) {
    assertThat(JsonFiles.MAPPER.valueToTree(result).has("run_figures")).isFalse();
    assertThat(JsonFiles.toJsonLine(result)).doesNotContain("figures");
  }
}
