package dev.glmpipe.train;

import dev.glmpipe.Columns;
import dev.glmpipe.Sql;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/** Label preparation and the deterministic train/holdout split, as pure transformations. */
public final class TrainingFrames {
  /** The per-row weight column, when class weights are configured. */
  public static final String WEIGHT = "__weight";

  private TrainingFrames() {}

  public static Dataset<Row> withLabel(Dataset<Row> rows, String labelColumn) {
    return rows.withColumn(Columns.LABEL, Sql.column(labelColumn).cast(DataTypes.DoubleType));
  }

  public static Dataset<Row> training(Dataset<Row> rows, HoldoutSplit split) {
    return rows.where(split.isHoldout().unary_$bang());
  }

  public static Dataset<Row> holdout(Dataset<Row> rows, HoldoutSplit split) {
    return rows.where(split.isHoldout());
  }
}
