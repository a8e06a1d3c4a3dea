package dev.glmpipe.monitor;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import dev.glmpipe.Columns;
import dev.glmpipe.Sql;
import dev.glmpipe.config.EvaluateConfig;
import dev.glmpipe.config.MonitorConfig;
import dev.glmpipe.evaluate.EvaluationReport;
import dev.glmpipe.evaluate.HoldoutEvaluator;
import dev.glmpipe.evaluate.Task;
import dev.glmpipe.io.PartitionedTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * Realized performance of one scored date once its labels arrive: the labels that landed
 * {@code min_age_days} to {@code max_age_days} after the date (up to the monitor run's date)
 * are joined with the date's scores by the key columns (and, when configured, only where the
 * label's event date is the scored date), and every version that scored the date gets the
 * metrics evaluate computes on a holdout: AUC-ROC, AUC-PR, log loss, Brier, accuracy,
 * precision, recall, F1 and calibration in the same score deciles (RMSE, MAE and R² for linear
 * models), beside the share of scored rows that have a label. A date is recomputed by every
 * run until its window closes; its rows then say {@code is_final}.
 */
public final class RealizedPerformance {
  /** Arrival column added to the labels while reading them: the latest arrival of a key wins. */
  private static final String ARRIVED = "__arrived";

  private final SparkSession spark;
  private final MonitorConfig.LabelsConfig config;
  private final List<String> keyColumns;
  private final String labelColumn;
  private final Path labelsRoot;

  public RealizedPerformance(SparkSession spark, MonitorConfig.LabelsConfig config, List<String> keyColumns,
      String datasetLabel, Path labelsRoot) {
    this.spark = spark;
    this.config = config;
    this.keyColumns = List.copyOf(keyColumns);
    this.labelColumn = config.labelColumn() == null ? datasetLabel : config.labelColumn();
    this.labelsRoot = labelsRoot;
  }

  /** The scored dates whose label window is open on {@code asOf} (or closes that day), oldest first. */
  public List<LocalDate> openDates(LocalDate asOf) {
    List<LocalDate> out = new ArrayList<>();
    for (int age = config.maxAgeDays(); age >= config.minAgeDays(); age--) {
      out.add(asOf.minusDays(age));
    }
    return out;
  }

  public boolean isFinal(LocalDate scored, LocalDate asOf) {
    return !asOf.isBefore(scored.plusDays(config.maxAgeDays()));
  }

  /** How one version did on one scored date: the rows of the monitoring table. */
  public record Outcome(String version, long scoredRows, long labelledRows, boolean isFinal, Map<String, Double> metrics,
      List<MonitoringRow> rows) {}

  /** What the labels arrived so far say about the versions that scored {@code scored}. */
  public List<Outcome> measure(Dataset<Row> scores, LocalDate scored, LocalDate asOf, Map<String, VersionFacts> versions,
      DriftBands bands, String model, String computedAt, String runId) {
    boolean isFinal = isFinal(scored, asOf);
    Dataset<Row> labels = labels(scored, asOf, scores);
    List<Outcome> out = new ArrayList<>();
    for (Map.Entry<String, VersionFacts> e : versions.entrySet()) {
      String version = e.getKey();
      VersionFacts facts = e.getValue();
      Dataset<Row> own = scores.where(col(Columns.MODEL_VERSION).equalTo(version));
      long scoredRows = own.count();
      // The evaluators take MLlib's double prediction; the scores table keeps a class as an int.
      Dataset<Row> joined = labels == null ? null : KeyJoin.on(own, labels, keyColumns, "inner")
          .withColumn(Columns.PREDICTION, col(Columns.PREDICTION).cast(DataTypes.DoubleType)).cache();
      try {
        long labelled = joined == null ? 0 : joined.count();
        DateDrift.Stamp stamp = new DateDrift.Stamp(scored.toString(), model, version, computedAt, runId);
        List<MonitoringRow> rows = new ArrayList<>();
        rows.add(finalRow(stamp, null, "label_coverage", scoredRows == 0 ? 0.0 : (double) labelled / scoredRows, null,
            scoredRows, isFinal));
        Map<String, Double> metrics = new java.util.LinkedHashMap<>();
        if (labelled > 0) {
          metrics = metrics(joined, facts, labelled, rows, stamp, isFinal, bands);
        }
        out.add(new Outcome(version, scoredRows, labelled, isFinal, metrics, rows));
      } finally {
        if (joined != null) {
          joined.unpersist();
        }
      }
    }
    return out;
  }

  /** The model-side facts a version's realized metrics need. */
  public record VersionFacts(Task task, double threshold, Double holdoutAuc) {}

  private Map<String, Double> metrics(Dataset<Row> joined, VersionFacts facts, long labelled, List<MonitoringRow> rows,
      DateDrift.Stamp stamp, boolean isFinal, DriftBands bands) {
    Map<String, Double> metrics = new java.util.LinkedHashMap<>();
    if (facts.task() == Task.BINARY) {
      long positives = joined.where(col(Columns.LABEL).equalTo(1.0)).count();
      if (positives == 0 || positives == labelled) {
        return metrics;  // one class only: no ranking metric is defined yet
      }
      // The scores table keeps P(class 1); the evaluator reads MLlib's probability vector.
      Dataset<Row> predictions = joined.withColumn(Columns.PROBABILITY,
          org.apache.spark.ml.functions.array_to_vector(array(lit(1.0).minus(col(Columns.SCORE)), col(Columns.SCORE))));
      HoldoutEvaluator.Evaluation ev = HoldoutEvaluator.evaluate(predictions, Task.BINARY, facts.threshold(), "fixed",
          WITHOUT_EXTRAS);
      for (String m : List.of("auc_roc", "auc_pr", "log_loss", "brier", "accuracy", "precision", "recall", "f1")) {
        metrics.put(m, ev.metrics().get(m));
      }
      for (EvaluationReport.CalibrationBin bin : ev.binary().calibration()) {
        String decile = String.format(Locale.ROOT, "decile_%02d", bin.decile());
        rows.add(finalRow(stamp, decile, "calibration_predicted", bin.meanPredicted(), null, bin.rows(), isFinal));
        rows.add(finalRow(stamp, decile, "calibration_observed", bin.observedRate(), null, bin.rows(), isFinal));
      }
    } else if (facts.task() == Task.REGRESSION) {
      Map<String, Double> ev = HoldoutEvaluator.metrics(joined, Task.REGRESSION, 0.0);
      for (String m : List.of("rmse", "mae", "r2")) {
        metrics.put(m, ev.get(m));
      }
    } else {
      metrics.put("accuracy", (double) joined.where(col(Columns.PREDICTION).equalTo(col(Columns.LABEL))).count() / labelled);
    }
    metrics.forEach((m, v) -> rows.add(finalRow(stamp, null, m, v, null, labelled, isFinal)));
    Double auc = metrics.get("auc_roc");
    if (auc != null && facts.holdoutAuc() != null) {
      double drop = facts.holdoutAuc() - auc;
      rows.add(finalRow(stamp, null, DriftBands.Metric.AUC_ROC_DROP, drop,
          bands.decide("", DriftBands.Metric.AUC_ROC_DROP, Math.max(0.0, drop), new double[0]), labelled, isFinal));
    }
    return metrics;
  }

  private static final EvaluateConfig WITHOUT_EXTRAS = new EvaluateConfig(null, null, null, List.of(), null, null,
      new EvaluateConfig.BootstrapConfig(0, null, null, null));

  private static MonitoringRow finalRow(DateDrift.Stamp s, String feature, String metric, double value,
      DriftBands.Verdict v, long rows, boolean isFinal) {
    return new MonitoringRow(s.dt(), s.model(), s.version(), MonitoringRow.REALIZED_PERFORMANCE, feature, metric, value,
        v == null ? null : v.band(), v == null ? null : v.warnAt(), v == null ? null : v.alertAt(),
        v == null ? null : v.statusName(), rows, isFinal, s.computedAt(), s.runId());
  }

  /**
   * The labels for {@code scored} that arrived by {@code asOf}: one per key (the latest
   * arrival), the key columns cast to the scores' types and the label as a double; null when
   * no label partition of the window has arrived.
   */
  private Dataset<Row> labels(LocalDate scored, LocalDate asOf, Dataset<Row> scores) {
    List<String> paths = new ArrayList<>();
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    for (int age = config.minAgeDays(); age <= config.maxAgeDays(); age++) {
      LocalDate arrival = scored.plusDays(age);
      if (arrival.isAfter(asOf)) {
        break;
      }
      Path partition = new Path(labelsRoot, PartitionedTable.DT + "=" + arrival);
      if (exists(conf, partition)) {
        paths.add(partition.toString());
      }
    }
    if (paths.isEmpty()) {
      return null;
    }
    Dataset<Row> read = spark.read().format(config.format()).option("header", "true")
        .option("basePath", labelsRoot.toString()).load(paths.toArray(String[]::new));
    for (String required : required()) {
      if (!List.of(read.columns()).contains(required)) {
        throw dev.glmpipe.GlmpipeException.dataContract("labels under " + labelsRoot + " (dates " + String.join(", ",
            paths.stream().map(p -> p.substring(p.lastIndexOf('=') + 1)).toList()) + ") have no column " + required
            + "; they have " + String.join(", ", read.columns()));
      }
    }
    if (config.eventDateColumn() != null) {
      read = read.where(Sql.column(config.eventDateColumn()).cast(DataTypes.StringType).equalTo(scored.toString()));
    }
    // try_cast: a key or label that does not convert (text in a numeric column) is no label,
    // as it is with ANSI mode off; a plain cast under ANSI mode (Spark 4) would fail the run.
    List<Column> projection = new ArrayList<>();
    for (String key : keyColumns) {
      DataType type = scores.schema().apply(key).dataType();
      projection.add(Sql.tryCast(key, type).as(key));
    }
    projection.add(Sql.tryCast(labelColumn, DataTypes.DoubleType).as(Columns.LABEL));
    projection.add(col(PartitionedTable.DT).cast(DataTypes.StringType).as(ARRIVED));
    Dataset<Row> typed = read.select(projection.toArray(Column[]::new)).where(col(Columns.LABEL).isNotNull());
    // A key labelled twice (a correction) counts once, with its latest label.
    return typed.groupBy(keyColumns.stream().map(Sql::column).toArray(Column[]::new))
        .agg(expr("max_by(" + Sql.quote(Columns.LABEL) + ", " + ARRIVED + ")").as(Columns.LABEL));
  }

  private List<String> required() {
    List<String> out = new ArrayList<>(keyColumns);
    out.add(labelColumn);
    if (config.eventDateColumn() != null) {
      out.add(config.eventDateColumn());
    }
    return out;
  }

  private static boolean exists(Configuration conf, Path p) {
    try {
      FileSystem fs = p.getFileSystem(conf);
      return fs.exists(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + p, e);
    }
  }
}
