package dev.glmpipe.evaluate;

import java.util.Arrays;
import java.util.Random;

/**
 * Percentile bootstrap on rows held on the driver. Each replicate draws n rows with replacement
 * (as multiplicities) and recomputes the statistic; the interval is the replicates'
 * (1-c)/2 and (1+c)/2 quantiles. MLlib has no resampling, so this runs on a bounded sample.
 */
public final class Bootstrap {
  /** A statistic of weighted rows: {@code weights[i]} copies of row i. */
  @FunctionalInterface
  public interface Statistic {
    double of(int[] weights);
  }

  private Bootstrap() {}

  /** @return {lower, upper} */
  public static double[] interval(int rows, Statistic statistic, int replicates, double confidence, long seed) {
    Random random = new Random(seed);
    double[] values = new double[replicates];
    int[] weights = new int[rows];
    int kept = 0;
    for (int b = 0; b < replicates; b++) {
      Arrays.fill(weights, 0);
      for (int i = 0; i < rows; i++) {
        weights[random.nextInt(rows)]++;
      }
      double v = statistic.of(weights);
      if (!Double.isNaN(v)) {
        values[kept++] = v;
      }
    }
    if (kept == 0) {
      return new double[] {Double.NaN, Double.NaN};
    }
    double[] sorted = Arrays.copyOf(values, kept);
    Arrays.sort(sorted);
    return new double[] {quantile(sorted, (1 - confidence) / 2), quantile(sorted, (1 + confidence) / 2)};
  }

  /** Linear interpolation between order statistics. */
  static double quantile(double[] sorted, double p) {
    double pos = p * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }

  /**
   * Weighted AUC-ROC (ties count one half), the Mann-Whitney statistic. {@code order} sorts the
   * rows by score ascending.
   */
  public static double auc(double[] scores, double[] labels, int[] order, int[] weights) {
    double negBelow = 0;
    double pos = 0;
    double neg = 0;
    double sum = 0;
    int i = 0;
    while (i < order.length) {
      int j = i;
      double groupPos = 0;
      double groupNeg = 0;
      while (j < order.length && scores[order[j]] == scores[order[i]]) {
        int r = order[j];
        if (labels[r] > 0.5) {
          groupPos += weights[r];
        } else {
          groupNeg += weights[r];
        }
        j++;
      }
      sum += groupPos * (negBelow + groupNeg / 2);
      negBelow += groupNeg;
      pos += groupPos;
      neg += groupNeg;
      i = j;
    }
    return pos == 0 || neg == 0 ? Double.NaN : sum / (pos * neg);
  }

  /** Row indices sorted by score ascending. */
  public static int[] order(double[] scores) {
    return java.util.stream.IntStream.range(0, scores.length).boxed()
        .sorted((a, b) -> Double.compare(scores[a], scores[b])).mapToInt(Integer::intValue).toArray();
  }
}
