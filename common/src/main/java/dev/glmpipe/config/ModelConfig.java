package dev.glmpipe.config;

/** The estimator and its MLlib parameters. */
public record ModelConfig(
    String name,
    ModelType type,
    int maxIter,
    double regParam,
    double elasticNetParam,
    double tol,
    boolean fitIntercept,
    boolean standardization,
    double threshold) {

  public enum ModelType { LOGISTIC, LINEAR }
}
