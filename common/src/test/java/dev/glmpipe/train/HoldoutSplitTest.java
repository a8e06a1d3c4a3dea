package dev.glmpipe.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.config.TrainConfig.HoldoutConfig;
import dev.glmpipe.config.TrainConfig.SplitBy;
import dev.glmpipe.registry.ModelManifest;
import dev.glmpipe.testing.SharedSpark;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** Splits are functions of the rows and the window only: reruns and appended days agree. */
class HoldoutSplitTest {
  private final SparkSession spark = SharedSpark.get();
  private static final LocalDate FIRST = LocalDate.of(2026, 1, 1);

  /** {@code days} days of 1,000 rows each, ids unique across days, read back in a shuffled order. */
  private Dataset<Row> window(int days, long seed) {
    return spark.range(0, days * 1000L)
        .selectExpr("concat('C', CAST(id AS STRING)) AS customer_id",
            "date_add(DATE'" + FIRST + "', CAST(id DIV 1000 AS INT)) AS dt")
        .orderBy(org.apache.spark.sql.functions.rand(seed))
        .repartition(3);
  }

  private static List<LocalDate> dates(int days) {
    return FIRST.datesUntil(FIRST.plusDays(days)).toList();
  }

  private static Set<String> ids(Dataset<Row> rows) {
    return rows.select("customer_id").collectAsList().stream().map(r -> r.getString(0)).collect(Collectors.toSet());
  }

  @Test
  void hashSplitIsTheSameOnRerunsAndWhenADayIsAppended() {
    HoldoutSplit five = HoldoutSplit.of(new HoldoutConfig("customer_id", 0.2), dates(5));
    Set<String> first = ids(TrainingFrames.holdout(window(5, 1), five));
    Set<String> rerun = ids(TrainingFrames.holdout(window(5, 2), five));
    assertThat(rerun).isEqualTo(first);
    assertThat(first.size()).isBetween(800, 1200);  // ~20% of 5,000

    HoldoutSplit six = HoldoutSplit.of(new HoldoutConfig("customer_id", 0.2), dates(6));
    Set<String> grown = ids(TrainingFrames.holdout(window(6, 3), six));
    Set<String> oldDaysOnly = new HashSet<>(grown);
    oldDaysOnly.removeIf(id -> Long.parseLong(id.substring(1)) >= 5000);
    assertThat(oldDaysOnly).isEqualTo(first);
    // Training and holdout partition the rows.
    Set<String> training = ids(TrainingFrames.training(window(6, 3), six));
    assertThat(training).doesNotContainAnyElementsOf(grown);
    assertThat(training.size() + grown.size()).isEqualTo(6000);
  }

  @Test
  void timeSplitHoldsOutTheNewestDaysAndMovesWithTheWindow() {
    HoldoutConfig config = new HoldoutConfig(SplitBy.TIME, null, 0.0, 2);
    HoldoutSplit five = HoldoutSplit.of(config, dates(5));
    assertThat(five.holdoutDates()).containsExactly("2026-01-04", "2026-01-05");
    Set<String> first = ids(TrainingFrames.holdout(window(5, 1), five));
    assertThat(ids(TrainingFrames.holdout(window(5, 2), HoldoutSplit.of(config, dates(5))))).isEqualTo(first);
    assertThat(first).hasSize(2000).allMatch(id -> Long.parseLong(id.substring(1)) >= 3000);

    // A day appended: the held-out days move to the newest, and training never sees them.
    HoldoutSplit six = HoldoutSplit.of(config, dates(6));
    assertThat(six.holdoutDates()).containsExactly("2026-01-05", "2026-01-06");
    Set<String> training = ids(TrainingFrames.training(window(6, 4), six));
    assertThat(training).hasSize(4000).allMatch(id -> Long.parseLong(id.substring(1)) < 4000);

    // Evaluate rebuilds the same split from the manifest.
    ModelManifest.DataWindow recorded = new ModelManifest.DataWindow("2026-01-01", "2026-01-06",
        dates(6).stream().map(LocalDate::toString).toList(), null, 0.0, six.byName(), six.holdoutDates());
    assertThat(recorded.split()).isEqualTo(six);
  }

  @Test
  void aTimeSplitNeedsAnOlderDayToTrainOn() {
    assertThatThrownBy(() -> HoldoutSplit.of(new HoldoutConfig(SplitBy.TIME, null, 0.0, 3), dates(3)))
        .isInstanceOf(GlmpipeException.class)
        .hasMessageContaining("train.holdout.days is 3 but the window has 3 day(s)");
  }

  @Test
  void versionsWithoutASplitKindWereHashSplits() {
    ModelManifest.DataWindow old = new ModelManifest.DataWindow("a", "b", List.of(), "customer_id", 0.2);
    assertThat(old.split()).isEqualTo(new HoldoutSplit(SplitBy.HASH, "customer_id", 0.2, List.of()));
  }
}
