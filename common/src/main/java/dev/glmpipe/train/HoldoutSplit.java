package dev.glmpipe.train;

import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.Sql;
import dev.glmpipe.config.TrainConfig.HoldoutConfig;
import dev.glmpipe.config.TrainConfig.SplitBy;
import dev.glmpipe.io.PartitionedTable;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Column;

/**
 * The train/holdout split of one training window, resolved: which rows are held out is a pure
 * function of each row's own values (and, for a time split, of the window), so it is the same
 * on every rerun, on any cluster, in any partitioning. Never {@code randomSplit}.
 *
 * <ul>
 *   <li>{@code hash}: a row is held out when {@code xxhash64(column)} falls in the first
 *       {@code fraction} of 10,000 buckets. Adding days to the window never moves a row.
 *   <li>{@code time}: the rows of the newest {@code days} dates of the window are held out
 *       ({@code dt} is the features table's partition column); training sees only older days.
 * </ul>
 *
 * @param holdoutDates for a time split, the held-out dates; empty for a hash split
 */
public record HoldoutSplit(SplitBy by, String column, double fraction, List<String> holdoutDates) {
  /** Buckets for the hash split: fractions resolve to 1/10,000. */
  static final int BUCKETS = 10_000;

  public HoldoutSplit {
    holdoutDates = holdoutDates == null ? List.of() : List.copyOf(holdoutDates);
  }

  /**
   * The split for a training window of {@code windowDates}.
   *
   * @throws GlmpipeException (usage) when a time split would leave no day to train on
   */
  public static HoldoutSplit of(HoldoutConfig config, List<LocalDate> windowDates) {
    if (config.by() == SplitBy.HASH) {
      return new HoldoutSplit(SplitBy.HASH, config.column(), config.fraction(), List.of());
    }
    List<String> sorted = windowDates.stream().sorted().map(LocalDate::toString).toList();
    int days = config.days();
    if (sorted.size() <= days) {
      throw GlmpipeException.usage("train.holdout.days is " + days + " but the window has " + sorted.size()
          + " day(s): a time split needs at least one older day to train on");
    }
    return new HoldoutSplit(SplitBy.TIME, null, 0.0, sorted.subList(sorted.size() - days, sorted.size()));
  }

  /**
   * The split a version was trained with, as its manifest records it: {@code by} is
   * {@code time} or {@code hash} (versions made before time splits record none: hash).
   */
  public static HoldoutSplit recorded(String by, String column, double fraction, List<String> holdoutDates) {
    if ("time".equals(by)) {
      return new HoldoutSplit(SplitBy.TIME, null, 0.0, holdoutDates);
    }
    return new HoldoutSplit(SplitBy.HASH, column, fraction, List.of());
  }

  /** True for holdout rows. */
  public Column isHoldout() {
    if (by == SplitBy.TIME) {
      return Sql.column(PartitionedTable.DT).cast("string").isin(holdoutDates.toArray());
    }
    Column bucket = pmod(xxhash64(Sql.column(column)), lit((long) BUCKETS));
    return bucket.lt(lit(Math.round(fraction * BUCKETS)));
  }

  /** {@code hash} or {@code time}, as the manifest records it. */
  public String byName() {
    return by.name().toLowerCase(Locale.ROOT);
  }
}
