package dev.glmpipe.config;

import java.util.List;
import java.util.Map;

/**
 * Training settings: the holdout split, hyperparameter tuning, and the convergence policy.
 *
 * @param allowNonConvergence keep a model whose solver hit its iteration limit or whose
 *     objective is NaN or rising; by default such a model is rejected (exit 4) and no version
 *     is written
 */
public record TrainConfig(
    HoldoutConfig holdout,
    @ConfigOptional TuningConfig tuning,
    @ConfigOptional boolean allowNonConvergence) {

  public TrainConfig(HoldoutConfig holdout) {
    this(holdout, null, false);
  }

  public enum SplitBy { HASH, TIME }

  /**
   * The held-out share for evaluation. {@code by: hash} (default): rows whose hashed
   * {@code column} falls in the first {@code fraction} of buckets, so a row's side never changes
   * when the job reruns or when more days are added. {@code by: time}: the newest {@code days}
   * dates of the training window are held out and the older ones train.
   */
  public record HoldoutConfig(
      @ConfigOptional SplitBy by,
      @ConfigOptional String column,
      @ConfigOptional double fraction,
      @ConfigOptional Integer days) {
    public HoldoutConfig {
      by = by == null ? SplitBy.HASH : by;
    }

    /** A hash split on {@code column}. */
    public HoldoutConfig(String column, double fraction) {
      this(SplitBy.HASH, column, fraction, null);
    }
  }

  public enum TuningMethod { CROSS_VALIDATION, TRAIN_VALIDATION }

  /**
   * A grid search. Every combination of the {@code grid} values is fitted on each fold (or on
   * the train part of one split) and scored on the held-out part with {@code metric}; the best
   * is refitted on all training rows. Folds come from hashing the key columns, so they are the
   * same on every rerun.
   *
   * @param grid parameter name (reg_param, elastic_net_param, max_iter, tol, step_size,
   *     mini_batch_fraction) to the values to try
   * @param folds k for cross_validation (default 3)
   * @param validationFraction the validation share for train_validation (default 0.25)
   * @param metric default log_loss (logistic) or rmse (linear)
   * @param parallelism candidates fitted at the same time (default 1)
   */
  public record TuningConfig(
      @ConfigOptional TuningMethod method,
      Map<String, List<Double>> grid,
      @ConfigOptional Integer folds,
      @ConfigOptional Double validationFraction,
      @ConfigOptional String metric,
      @ConfigOptional Integer parallelism) {
    public TuningConfig {
      method = method == null ? TuningMethod.CROSS_VALIDATION : method;
      folds = folds == null ? 3 : folds;
      validationFraction = validationFraction == null ? 0.25 : validationFraction;
      parallelism = parallelism == null ? 1 : parallelism;
    }
  }
}
