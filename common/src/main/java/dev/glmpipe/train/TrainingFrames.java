package dev.glmpipe.train;

import dev.glmpipe.Sql;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

import dev.glmpipe.config.TrainConfig.HoldoutConfig;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/** Label preparation and the deterministic train/holdout split, as pure transformations. */
public final class TrainingFrames {
  /** The label as a double, the type MLlib estimators and evaluators expect. */
  public static final String LABEL = "__label";

  /** Buckets for the hash split: fractions resolve to 1/10,000. */
  private static final int BUCKETS = 10_000;

  private TrainingFrames() {}

  public static Dataset<Row> withLabel(Dataset<Row> rows, String labelColumn) {
    return rows.withColumn(LABEL, Sql.column(labelColumn).cast(DataTypes.DoubleType));
  }

  /**
   * True for holdout rows. The side depends only on the id's hash, so it is the same on every
   * rerun, on any cluster, and when more days join the window; never {@code randomSplit}.
   */
  public static Column isHoldout(HoldoutConfig holdout) {
    Column bucket = pmod(xxhash64(Sql.column(holdout.column())), lit((long) BUCKETS));
    return bucket.lt(lit(Math.round(holdout.fraction() * BUCKETS)));
  }

  public static Dataset<Row> training(Dataset<Row> rows, HoldoutConfig holdout) {
    return rows.where(isHoldout(holdout).unary_$bang());
  }

  public static Dataset<Row> holdout(Dataset<Row> rows, HoldoutConfig holdout) {
    return rows.where(isHoldout(holdout));
  }
}
