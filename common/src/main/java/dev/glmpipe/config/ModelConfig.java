package dev.glmpipe.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The estimator, its MLlib parameters and how it is solved. README.md ("Model and solvers")
 * documents every key.
 *
 * <p>Absent optional keys take their defaults in the compact constructor; {@code sgd}'s
 * {@code iterations} and {@code convergence_tol} default to {@code max_iter} and {@code tol}.
 *
 * @param family {@code auto} (binomial for a 0/1 label, multinomial above two classes),
 *     {@code binomial} or {@code multinomial}; logistic only
 * @param solver {@code auto}: MLlib's L-BFGS (OWL-QN with an L1 part); {@code normal}: the
 *     normal equation (linear only; gives standard errors); {@code sgd}: mini-batch gradient
 *     descent
 * @param classWeight {@code balanced} or a map from label to weight; logistic only
 * @param aggregationDepth treeAggregate depth for the solver; absent: chosen from the data size
 */
public record ModelConfig(
    String name,
    ModelType type,
    int maxIter,
    double regParam,
    double elasticNetParam,
    double tol,
    boolean fitIntercept,
    boolean standardization,
    double threshold,
    @ConfigOptional Family family,
    @ConfigOptional Solver solver,
    @ConfigOptional SgdConfig sgd,
    @ConfigOptional ClassWeight classWeight,
    @ConfigOptional Integer aggregationDepth) {

  public enum ModelType { LOGISTIC, LINEAR }

  public enum Family { AUTO, BINOMIAL, MULTINOMIAL }

  public enum Solver { AUTO, NORMAL, SGD }

  public ModelConfig {
    family = family == null ? Family.AUTO : family;
    solver = solver == null ? Solver.AUTO : solver;
    sgd = sgd == null ? new SgdConfig(null, null, null, null) : sgd;
    sgd = new SgdConfig(sgd.stepSize(), sgd.miniBatchFraction(),
        sgd.iterations() == null ? maxIter : sgd.iterations(),
        sgd.convergenceTol() == null ? tol : sgd.convergenceTol());
  }

  /** The estimator settings every model has; solver, family and weights at their defaults. */
  public ModelConfig(String name, ModelType type, int maxIter, double regParam, double elasticNetParam, double tol,
      boolean fitIntercept, boolean standardization, double threshold) {
    this(name, type, maxIter, regParam, elasticNetParam, tol, fitIntercept, standardization, threshold,
        null, null, null, null, null);
  }

  /**
   * Mini-batch gradient descent, θ ← θ − α∇J(θ) with a constant step α, on the standardized
   * features. Stops after {@code iterations} or when a step moves θ by less than
   * {@code convergenceTol × max(‖θ‖, 1)}.
   *
   * @param stepSize α (default 1.0)
   * @param miniBatchFraction share of the rows sampled for each step (default 1.0: every row)
   */
  public record SgdConfig(
      @ConfigOptional Double stepSize,
      @ConfigOptional Double miniBatchFraction,
      @ConfigOptional Integer iterations,
      @ConfigOptional Double convergenceTol) {
    public SgdConfig {
      stepSize = stepSize == null ? 1.0 : stepSize;
      miniBatchFraction = miniBatchFraction == null ? 1.0 : miniBatchFraction;
    }
  }

  /**
   * Per-class row weights for an imbalanced label, applied through a weight column:
   * {@code balanced} gives each class {@code rows / (classes × rows of the class)}; a map gives
   * explicit weights (labels not listed weigh 1.0).
   */
  public record ClassWeight(boolean balanced, Map<String, Double> weights) {
    public static final String BALANCED = "balanced";

    /** Binds {@code balanced} or a mapping of label to positive weight. */
    public static ClassWeight fromConfig(Object node) {
      if (node instanceof Map<?, ?> map) {
        Map<String, Double> weights = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
          String label = String.valueOf(e.getKey()).trim();
          double w;
          try {
            w = e.getValue() instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(e.getValue()).trim());
          } catch (NumberFormatException ex) {
            throw new ConfigBinder.InvalidValue(label, "expected a number, got '" + e.getValue() + "'");
          }
          if (!(w > 0) || !Double.isFinite(w)) {
            throw new ConfigBinder.InvalidValue(label, "a class weight must be a positive number, got " + e.getValue());
          }
          weights.put(label, w);
        }
        if (weights.isEmpty()) {
          throw new IllegalArgumentException("must be 'balanced' or map at least one label to a weight");
        }
        return new ClassWeight(false, Map.copyOf(weights));
      }
      if (node != null && BALANCED.equalsIgnoreCase(String.valueOf(node).trim())) {
        return new ClassWeight(true, Map.of());
      }
      throw new IllegalArgumentException("expected 'balanced' or a mapping of label to weight, e.g. {\"0\": 1.0, \"1\": 5.0}, got '" + node + "'");
    }

    /** As written in the manifest: {@code balanced} or the map. */
    public Object describe() {
      return balanced ? BALANCED : new java.util.TreeMap<>(weights);
    }
  }
}
