package dev.glmpipe.config;

/** Training settings. */
public record TrainConfig(HoldoutConfig holdout) {

  /**
   * The held-out share for evaluation, chosen by hashing {@code column}: a row's side never
   * changes when the job reruns or when more days are added.
   */
  public record HoldoutConfig(String column, double fraction) {}
}
