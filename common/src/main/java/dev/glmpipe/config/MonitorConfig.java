package dev.glmpipe.config;

import java.util.Map;

/**
 * Monitoring: how the training baseline is binned, when a drift metric warns or alerts, what
 * an alert does to the run, and where realized performance finds its labels. README.md
 * ("Monitoring") documents every key.
 *
 * @param bins numeric inputs and the score are cut at this many training quantiles (default 10)
 * @param onAlert {@code report}: alerts are in the result and the table, the run succeeds;
 *     {@code fail}: an alert ends the run with exit code 5 once everything is written
 * @param learnedK learned bands sit at the mean plus k standard deviations of the metric over
 *     the training days (default 3)
 * @param bands fixed bands per metric (psi, js_distance, linf, mean_shift_std, null_rate_change,
 *     unseen_share, …) replacing the defaults
 * @param features fixed bands per feature and metric, replacing the per-metric ones
 * @param labels where realized performance finds its labels and how long it waits for them
 * @param tableFormat how the monitoring table is stored: {@code parquet} (a directory of {@code dt=}
 *     partitions) or {@code iceberg} (an Iceberg table in the catalog of {@code storage.iceberg});
 *     unset, it follows {@code score.table_format} (see {@link GlmpipeConfig#monitoringFormat()})
 */
public record MonitorConfig(
    @ConfigOptional Integer bins,
    @ConfigOptional OnAlert onAlert,
    @ConfigOptional Double learnedK,
    @ConfigOptional Map<String, Band> bands,
    @ConfigOptional Map<String, Map<String, Band>> features,
    @ConfigOptional LabelsConfig labels,
    @ConfigOptional TableFormat tableFormat) {

  public static final int DEFAULT_BINS = 10;
  public static final double DEFAULT_LEARNED_K = 3.0;
  /** The metrics that have bands (the keys of {@code bands} and of each feature's map). */
  public static final java.util.List<String> BANDED_METRICS = java.util.List.of(
      "psi", "js_distance", "linf", "mean_shift_std", "null_rate_change", "unseen_share", "auc_roc_drop");

  public enum OnAlert { REPORT, FAIL }

  public MonitorConfig {
    bins = bins == null ? DEFAULT_BINS : bins;
    onAlert = onAlert == null ? OnAlert.REPORT : onAlert;
    learnedK = learnedK == null ? DEFAULT_LEARNED_K : learnedK;
    bands = bands == null ? Map.of() : bands;
    features = features == null ? Map.of() : features;
    labels = labels == null ? new LabelsConfig(null, null, null, null, null) : labels;
  }

  public MonitorConfig(Integer bins, OnAlert onAlert, Double learnedK, Map<String, Band> bands,
      Map<String, Map<String, Band>> features, LabelsConfig labels) {
    this(bins, onAlert, learnedK, bands, features, labels, null);
  }

  public static MonitorConfig defaults() {
    return new MonitorConfig(null, null, null, null, null, null, null);
  }

  /** A metric's warn and alert thresholds: at or above {@code alert} alerts, at or above {@code warn} warns. */
  public record Band(double warn, double alert) {}

  /**
   * The label feed ({@code storage.tables.labels}, partitioned by the date labels arrive).
   * Labels that arrive {@code minAgeDays} to {@code maxAgeDays} days after a scored date are
   * matched to that date's scores by the key columns; a date is final once {@code maxAgeDays}
   * have passed.
   *
   * @param labelColumn the label's column in the feed (default: dataset.label)
   * @param eventDateColumn when set, a label matches only the scores of the date in this column
   * @param format the feed's file format: csv (with a header line), parquet or json
   */
  public record LabelsConfig(
      @ConfigOptional Integer minAgeDays,
      @ConfigOptional Integer maxAgeDays,
      @ConfigOptional String labelColumn,
      @ConfigOptional String eventDateColumn,
      @ConfigOptional String format) {
    public LabelsConfig {
      minAgeDays = minAgeDays == null ? 1 : minAgeDays;
      maxAgeDays = maxAgeDays == null ? 30 : maxAgeDays;
      format = format == null ? "csv" : format;
    }
  }
}
