package dev.glmpipe.train;

import java.util.List;
import java.util.Map;

/**
 * What a hyperparameter search did: the grid, every candidate's metric and the winner.
 *
 * @param folds k for cross_validation, 1 for train_validation
 * @param best the winning candidate's parameters, refitted on all training rows
 */
public record Tuning(String method, String metric, boolean largerIsBetter, int folds, Map<String, List<Double>> grid,
    List<Candidate> candidates, Map<String, Double> best) {

  /** One grid point: its parameters, the metric averaged over folds, and each fold's. */
  public record Candidate(Map<String, Double> params, double metric, List<Double> foldMetrics) {}
}
