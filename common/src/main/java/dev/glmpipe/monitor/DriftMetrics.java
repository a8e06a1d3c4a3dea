package dev.glmpipe.monitor;

/**
 * Distances between two binned distributions over the same bins: the baseline frozen at
 * training time ({@code expected}) and one scored date ({@code actual}). Counts are turned into
 * shares of their own total first, so the two samples may differ in size. Null, unseen and
 * out-of-range values are ordinary bins here; {@link dev.glmpipe.baseline.BinnedCounts} makes them explicit.
 *
 * <p>Pure functions: no Spark, no state.
 */
public final class DriftMetrics {
  /**
   * Share that replaces an empty bin's zero share in {@link #psi}: without it a bin empty on
   * one side makes the index infinite. 1e-4 is one row in ten thousand, small next to the
   * shares a bin built from training quantiles holds.
   */
  public static final double DEFAULT_EPSILON = 1e-4;

  private DriftMetrics() {}

  /** A drift metric's verdict against its {@link Bands}. */
  public enum Status { OK, WARN, ALERT }

  /**
   * Warn and alert thresholds of one metric: values at or above {@code alert} alert, values at
   * or above {@code warn} warn, everything below is OK.
   */
  public record Bands(double warn, double alert) {
    /** The usual PSI reading: below 0.1 stable, 0.1 to 0.25 a shift to look at, above 0.25 a real shift. */
    public static final Bands PSI_DEFAULT = new Bands(0.1, 0.25);

    public Bands {
      if (Double.isNaN(warn) || Double.isNaN(alert) || warn > alert) {
        throw new IllegalArgumentException("bands need warn <= alert, got warn=" + warn + ", alert=" + alert);
      }
    }

    public Status status(double value) {
      if (Double.isNaN(value)) {
        throw new IllegalArgumentException("a drift metric of NaN has no status");
      }
      return value >= alert ? Status.ALERT : value >= warn ? Status.WARN : Status.OK;
    }

    /**
     * Bands learned from a metric's values on reference periods (e.g. each training-window day
     * against the baseline): {@code alert = mean + k·std} and {@code warn = mean + (k/1.5)·std},
     * with the population standard deviation (divide by n). With k = 3 a value alerts three
     * standard deviations above its usual level and warns at two. A constant reference gives
     * std = 0 and so warn = alert = mean: callers that learn from few or flat values should
     * floor the result with a default such as {@link #PSI_DEFAULT}.
     */
    public static Bands learned(double[] referenceValues, double k) {
      if (referenceValues.length == 0) {
        throw new IllegalArgumentException("learned bands need at least one reference value");
      }
      if (!(k >= 0) || Double.isInfinite(k)) {
        throw new IllegalArgumentException("learned bands need a finite k >= 0, got " + k);
      }
      double mean = 0;
      for (double v : referenceValues) {
        if (!Double.isFinite(v)) {
          throw new IllegalArgumentException("reference values must be finite, got " + v);
        }
        mean += v;
      }
      mean /= referenceValues.length;
      double squares = 0;
      for (double v : referenceValues) {
        squares += (v - mean) * (v - mean);
      }
      double std = Math.sqrt(squares / referenceValues.length);
      return new Bands(mean + (k / 1.5) * std, mean + k * std);
    }
  }

  /** {@link #psi(double[], double[], double)} with {@link #DEFAULT_EPSILON}. */
  public static double psi(long[] expected, long[] actual) {
    return psi(toDouble(expected), toDouble(actual), DEFAULT_EPSILON);
  }

  public static double psi(long[] expected, long[] actual, double epsilon) {
    return psi(toDouble(expected), toDouble(actual), epsilon);
  }

  public static double psi(double[] expected, double[] actual) {
    return psi(expected, actual, DEFAULT_EPSILON);
  }

  /**
   * Population stability index Σ (a−e)·ln(a/e) over bins, with a and e each bin's share of
   * its own total. A zero share (an empty bin) is replaced by {@code epsilon} before the sum,
   * on either side; non-empty bins are left as they are and shares are not renormalized, so a
   * bin empty on both sides adds 0. Deequ's PSI has no such smoothing and returns infinity as
   * soon as one bin is empty on one side only. Symmetric in its two arguments.
   *
   * @param epsilon share given to an empty bin, in (0, 1)
   * @throws IllegalArgumentException if the arrays differ in length, hold a negative or
   *     non-finite count, or either side counts nothing at all
   */
  public static double psi(double[] expected, double[] actual, double epsilon) {
    if (!(epsilon > 0 && epsilon < 1)) {
      throw new IllegalArgumentException("epsilon must be in (0, 1), got " + epsilon);
    }
    double[] e = shares(expected, "expected", expected.length);
    double[] a = shares(actual, "actual", expected.length);
    double sum = 0;
    for (int i = 0; i < e.length; i++) {
      double ei = e[i] == 0 ? epsilon : e[i];
      double ai = a[i] == 0 ? epsilon : a[i];
      sum += (ai - ei) * Math.log(ai / ei);
    }
    return sum;
  }

  public static double jensenShannonDistance(long[] expected, long[] actual) {
    return jensenShannonDistance(toDouble(expected), toDouble(actual));
  }

  /**
   * Jensen–Shannon distance: the square root of the Jensen–Shannon divergence
   * ½·KL(a‖m) + ½·KL(e‖m) with m = (a+e)/2, in natural log (nats). It lies in [0, √ln 2] and
   * reaches √ln 2 exactly when the two distributions share no bin. A zero share adds 0 (the
   * limit of p·ln p), and m is positive wherever a or e is, so no smoothing is needed.
   */
  public static double jensenShannonDistance(double[] expected, double[] actual) {
    double[] e = shares(expected, "expected", expected.length);
    double[] a = shares(actual, "actual", expected.length);
    double divergence = 0;
    for (int i = 0; i < e.length; i++) {
      double m = (a[i] + e[i]) / 2;
      if (a[i] > 0) {
        divergence += 0.5 * a[i] * Math.log(a[i] / m);
      }
      if (e[i] > 0) {
        divergence += 0.5 * e[i] * Math.log(e[i] / m);
      }
    }
    // Rounding can leave a hair below zero for identical inputs; the divergence itself is >= 0.
    return Math.sqrt(Math.max(0, divergence));
  }

  public static double lInfinity(long[] expected, long[] actual) {
    return lInfinity(toDouble(expected), toDouble(actual));
  }

  /** The largest difference of shares over bins, max |a − e|, in [0, 1]. */
  public static double lInfinity(double[] expected, double[] actual) {
    double[] e = shares(expected, "expected", expected.length);
    double[] a = shares(actual, "actual", expected.length);
    double max = 0;
    for (int i = 0; i < e.length; i++) {
      max = Math.max(max, Math.abs(a[i] - e[i]));
    }
    return max;
  }

  private static double[] shares(double[] counts, String side, int bins) {
    if (counts.length != bins) {
      throw new IllegalArgumentException(
          "expected and actual must have the same bins, got " + bins + " and " + counts.length);
    }
    if (bins == 0) {
      throw new IllegalArgumentException("a distribution needs at least one bin");
    }
    double total = 0;
    for (double c : counts) {
      if (!(c >= 0) || Double.isInfinite(c)) {
        throw new IllegalArgumentException(side + " counts must be finite and >= 0, got " + c);
      }
      total += c;
    }
    if (total == 0) {
      throw new IllegalArgumentException(side + " counts are all zero: an empty distribution has no shares");
    }
    double[] shares = new double[bins];
    for (int i = 0; i < bins; i++) {
      shares[i] = counts[i] / total;
    }
    return shares;
  }

  private static double[] toDouble(long[] counts) {
    double[] out = new double[counts.length];
    for (int i = 0; i < counts.length; i++) {
      out[i] = counts[i];
    }
    return out;
  }
}
