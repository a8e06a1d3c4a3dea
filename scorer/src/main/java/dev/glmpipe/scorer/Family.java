package dev.glmpipe.scorer;

/**
 * The model that ends the pipeline, and how its margins become the score and the prediction,
 * as MLlib 3.5 and the batch's compiled scorer compute them.
 */
public enum Family {
  /** LinearRegressionModel: score and prediction are the margin. */
  LINEAR,
  /**
   * Binomial LogisticRegressionModel: {@code p = 1 - 1 / (1 + exp(m))}; class 1 when the margin
   * is above the threshold's logit (never when it is NaN).
   */
  BINOMIAL,
  /**
   * Multinomial LogisticRegressionModel: MLlib's softmax of the margins, the class the first
   * largest margin; the score is P(class 1) with two classes, else the predicted class's.
   */
  MULTINOMIAL;

  static Prediction predict(Family family, double[] margins, double threshold) {
    switch (family) {
      case LINEAR -> {
        return new Prediction(margins[0], margins[0], null);
      }
      case BINOMIAL -> {
        double m = margins[0];
        double p = 1.0 - 1.0 / (1.0 + Math.exp(m));
        return new Prediction(p, m > rawThreshold(threshold) ? 1 : 0, null);
      }
      default -> {
        int k = argmax(margins);
        double[] p = softmax(margins);
        return margins.length == 2 ? new Prediction(p[1], k, null) : new Prediction(p[k], k, p);
      }
    }
  }

  /** The margin above which a binomial model predicts 1, as LogisticRegressionModel derives it. */
  static double rawThreshold(double t) {
    return t == 0.0 ? Double.NEGATIVE_INFINITY : t == 1.0 ? Double.POSITIVE_INFINITY : Math.log(t / (1.0 - t));
  }

  /** MLlib's {@code DenseVector.argmax}: the first index greater than every value before it (Java's {@code >}). */
  static int argmax(double[] v) {
    int index = 0;
    double max = v[0];
    for (int k = 1; k < v.length; k++) {
      if (v[k] > max) {
        index = k;
        max = v[k];
      }
    }
    return index;
  }

  /**
   * MLlib 3.5's {@code ml.impl.Utils.softmax}: the first +inf margin takes probability 1 and
   * every other class {@code 0.0 * margin}; otherwise {@code exp(m - max) * (1 / sum)} with the
   * max over non-NaN margins starting at {@code -Double.MAX_VALUE}.
   */
  static double[] softmax(double[] margins) {
    int n = margins.length;
    double[] p = new double[n];
    int infinite = -1;
    for (int k = 0; k < n; k++) {
      if (margins[k] == Double.POSITIVE_INFINITY) {
        infinite = k;
        break;
      }
    }
    if (infinite >= 0) {
      for (int k = 0; k < n; k++) {
        p[k] = k == infinite ? 1.0 : 0.0 * margins[k];
      }
      return p;
    }
    double max = -Double.MAX_VALUE;
    for (double m : margins) {
      if (m > max) {
        max = m;
      }
    }
    double sum = 0.0;
    for (int k = 0; k < n; k++) {
      p[k] = Math.exp(margins[k] - max);
      sum = k == 0 ? p[k] : sum + p[k];
    }
    double inverse = 1.0 / sum;
    for (int k = 0; k < n; k++) {
      p[k] = p[k] * inverse;
    }
    return p;
  }
}
