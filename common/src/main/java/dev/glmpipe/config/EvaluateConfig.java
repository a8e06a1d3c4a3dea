package dev.glmpipe.config;

import java.util.List;
import java.util.Map;

/**
 * The release gate and what evaluate computes. README.md ("Evaluation and the gate") documents
 * every key.
 *
 * @param minimum absolute floors for metrics where higher is better (auc_roc, r2, …)
 * @param maximum absolute ceilings for metrics where lower is better (log_loss, rmse, …)
 * @param maxDegradation per metric, how much worse than the champion (on the same holdout) a
 *     candidate may be; a first model, with no champion, faces the absolute thresholds only
 * @param slices columns whose values each get their own metrics (e.g. region)
 * @param minSliceRows slices with fewer holdout rows are flagged {@code tiny}
 * @param threshold the operating threshold of a binary classifier
 * @param bootstrap the confidence interval of the headline metric
 */
public record EvaluateConfig(
    @ConfigOptional Map<String, Double> minimum,
    @ConfigOptional Map<String, Double> maximum,
    @ConfigOptional Map<String, Double> maxDegradation,
    @ConfigOptional List<String> slices,
    @ConfigOptional Integer minSliceRows,
    @ConfigOptional ThresholdConfig threshold,
    @ConfigOptional BootstrapConfig bootstrap) {

  public static final int DEFAULT_MIN_SLICE_ROWS = 100;

  public EvaluateConfig {
    minSliceRows = minSliceRows == null ? DEFAULT_MIN_SLICE_ROWS : minSliceRows;
    threshold = threshold == null ? new ThresholdConfig(null, null) : threshold;
    bootstrap = bootstrap == null ? new BootstrapConfig(null, null, null, null) : bootstrap;
  }

  /** Absolute thresholds only, everything else at its default. */
  public EvaluateConfig(Map<String, Double> minimum, Map<String, Double> maximum) {
    this(minimum, maximum, null, null, null, null, null);
  }

  public enum ThresholdMode { FIXED, MAX_F1 }

  /**
   * {@code fixed}: {@code value}, or {@code model.threshold} when absent. {@code max_f1}: the
   * threshold with the best F1 on the version's training rows (never the holdout, which would
   * flatter the metrics reported at it).
   */
  public record ThresholdConfig(@ConfigOptional ThresholdMode mode, @ConfigOptional Double value) {
    public ThresholdConfig {
      mode = mode == null ? ThresholdMode.FIXED : mode;
    }
  }

  /**
   * A percentile bootstrap: {@code replicates} resamples (0 turns it off) of at most
   * {@code max_rows} holdout rows, giving a {@code confidence} interval.
   */
  public record BootstrapConfig(@ConfigOptional Integer replicates, @ConfigOptional Double confidence,
      @ConfigOptional Integer maxRows, @ConfigOptional Long seed) {
    public BootstrapConfig {
      replicates = replicates == null ? 200 : replicates;
      confidence = confidence == null ? 0.95 : confidence;
      maxRows = maxRows == null ? 20_000 : maxRows;
      seed = seed == null ? 42L : seed;
    }
  }

  public Map<String, Double> minimumOrEmpty() {
    return minimum == null ? Map.of() : minimum;
  }

  public Map<String, Double> maximumOrEmpty() {
    return maximum == null ? Map.of() : maximum;
  }

  public Map<String, Double> maxDegradationOrEmpty() {
    return maxDegradation == null ? Map.of() : maxDegradation;
  }

  public List<String> slicesOrEmpty() {
    return slices == null ? List.of() : slices;
  }
}
