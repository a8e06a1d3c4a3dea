package dev.glmpipe.train;

/**
 * Normal-equation inference for one coefficient ({@code (intercept)} for the intercept); a
 * value that is not finite (a constant column's standard error) is null.
 */
public record CoefficientStatistic(String feature, double estimate, Double stdError, Double tValue, Double pValue) {}
