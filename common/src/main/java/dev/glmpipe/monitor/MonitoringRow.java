package dev.glmpipe.monitor;

import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * One row of the monitoring table ({@code monitoring/<model>/dt=…}): one metric of one feature
 * (or of the score, or of the model) on one scored date, with its verdict.
 *
 * @param dt the scored date the metric describes (the table's partition)
 * @param kind one of {@link #INPUT_DRIFT}, {@link #SCORE_DRIFT}, {@link #SCORE_DISTRIBUTION},
 *     {@link #ESTIMATED_PERFORMANCE}, {@link #REALIZED_PERFORMANCE}, {@link #DATA_QUALITY}
 * @param feature the input's name, {@code score}, a score bin's label (score distribution) or
 *     null for model-wide metrics
 * @param metric psi, js_distance, linf, mean_shift_std, null_rate_change, unseen_share, auc_roc, …
 * @param band which band decided the status ({@code fixed} or {@code learned}); null when the
 *     metric has no bands
 * @param warnAt the warn threshold that applied, null without bands
 * @param alertAt the alert threshold that applied, null without bands
 * @param status ok, warn or alert; null when the metric has no bands
 * @param rows rows the metric was computed on (for realized performance: labelled rows)
 * @param isFinal realized performance: whether the date's label window has closed; null otherwise
 * @param computedAt when the monitor run computed it (ISO-8601, UTC)
 * @param runId the monitor run that computed it; null outside a job and in partitions written
 *     before the column existed (they still read: a missing column reads as null)
 */
public record MonitoringRow(String dt, String modelName, String modelVersion, String kind, String feature,
    String metric, Double value, String band, Double warnAt, Double alertAt, String status, long rows,
    Boolean isFinal, String computedAt, String runId) {

  public static final String INPUT_DRIFT = "input_drift";
  public static final String SCORE_DRIFT = "score_drift";
  public static final String SCORE_DISTRIBUTION = "score_distribution";
  public static final String ESTIMATED_PERFORMANCE = "estimated_performance";
  public static final String REALIZED_PERFORMANCE = "realized_performance";
  public static final String DATA_QUALITY = "data_quality";

  /** The table's columns, {@code dt} last (it is the partition column on disk). */
  public static final StructType SCHEMA = new StructType()
      .add("model_name", DataTypes.StringType, false)
      .add("model_version", DataTypes.StringType, false)
      .add("kind", DataTypes.StringType, false)
      .add("feature", DataTypes.StringType, true)
      .add("metric", DataTypes.StringType, false)
      .add("value", DataTypes.DoubleType, true)
      .add("band", DataTypes.StringType, true)
      .add("warn_at", DataTypes.DoubleType, true)
      .add("alert_at", DataTypes.DoubleType, true)
      .add("status", DataTypes.StringType, true)
      .add("rows", DataTypes.LongType, false)
      .add("is_final", DataTypes.BooleanType, true)
      .add("computed_at", DataTypes.StringType, false)
      .add("run_id", DataTypes.StringType, true);

  /** The row as written into partition {@code dt} (without the dt column). */
  public Row toRow() {
    return RowFactory.create(modelName, modelVersion, kind, feature, metric, value, band, warnAt, alertAt, status,
        rows, isFinal, computedAt, runId);
  }

  /** A row read back with {@link #SCHEMA} (then {@code dt} if it was read too), {@code dt} given. */
  public static MonitoringRow of(Row r, String dt) {
    return new MonitoringRow(dt, r.getString(0), r.getString(1), r.getString(2), r.getString(3), r.getString(4),
        r.isNullAt(5) ? null : r.getDouble(5), r.getString(6), r.isNullAt(7) ? null : r.getDouble(7),
        r.isNullAt(8) ? null : r.getDouble(8), r.getString(9), r.getLong(10), r.isNullAt(11) ? null : r.getBoolean(11),
        r.getString(12), r.getString(13));
  }

  public boolean alerting() {
    return "alert".equals(status);
  }

  static List<String> kinds() {
    return List.of(INPUT_DRIFT, SCORE_DRIFT, SCORE_DISTRIBUTION, ESTIMATED_PERFORMANCE, REALIZED_PERFORMANCE, DATA_QUALITY);
  }
}
