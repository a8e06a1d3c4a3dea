package dev.glmpipe.monitor;

import java.util.Arrays;

/**
 * Confidence-based performance estimation (CBPE) for a binary logistic model: the performance
 * a date's scores promise before its labels arrive, from the scores alone.
 *
 * <p><b>Assumption.</b> The model is calibrated on the date being estimated: each row is
 * positive with probability equal to its score, independently of the other rows. Under it the
 * expected confusion matrix at threshold t (a row is predicted positive when its score is
 * greater than t, as in HoldoutEvaluator) is
 * <pre>
 *   TP = Σ_{s>t} s     FP = Σ_{s>t} (1−s)
 *   FN = Σ_{s<=t} s    TN = Σ_{s<=t} (1−s)
 * </pre>
 * and per-bin row counts and score sums give it exactly, whatever the bins, as long as t is a
 * bin boundary ({@link #edges(int, double)}). Nothing here looks at a label, so the estimate
 * cannot see a change in P(label | score): under concept drift it keeps promising the old
 * performance.
 *
 * <p><b>Metrics.</b> Accuracy, precision, recall and F1 are those of the expected confusion
 * matrix (a ratio of expectations, not the expectation of the ratio: the two differ by O(1/n)),
 * with HoldoutEvaluator's zero-division conventions. The expected AUC-ROC is also a ratio of
 * expectations: the expected number of correctly ordered (positive, negative) pairs, ties
 * counting one half, over the expected number of such pairs, see {@link #estimate}. A histogram
 * with no rows is rejected (IllegalArgumentException) rather than answered with NaNs: an empty
 * date is a missing date.
 *
 * <p>Pure functions: no Spark, no state. An aggregation builds the {@link Histogram} (one scan:
 * bin, then count, sum and sum of squares per bin); everything here runs on the driver.
 */
public final class EstimatedPerformance {
  /** Fine bins of the usual grid: 1000 bins of width 0.001. */
  public static final int DEFAULT_FINE_BINS = 1000;

  /**
   * Relative slack for checks that hold exactly for real numbers but may fail by rounding when
   * the sums come from a distributed aggregation (a bin's sum at most its count, its sum of
   * squares at most its sum).
   */
  private static final double SLACK = 1e-9;

  private EstimatedPerformance() {}

  /**
   * What the scores promise. {@code positiveRate} is the expected share of rows whose label is
   * positive, (TP+FN)/rows, the mean score; the share predicted positive needs no estimate.
   * {@code aucRoc} is NaN when no (positive, negative) pair is possible: one row, or every score
   * 0, or every score 1.
   */
  public record Estimate(long rows, double aucRoc, double accuracy, double precision, double recall,
      double f1, double positiveRate) {}

  /** The expected confusion matrix: expected row counts, so not whole numbers. */
  public record ExpectedConfusion(double truePositives, double falsePositives, double trueNegatives,
      double falseNegatives) {}

  /**
   * One date's scores summarised over score bins: {@code edges} are k strictly increasing edges
   * inside (0, 1) that cut k+1 bins {@code [-inf,e1)}, {@code [e1,e2)} … {@code [ek,+inf)}; a
   * score equal to an edge goes to the bin on its right (as in {@link BinnedCounts.Numeric} and
   * MLlib's Bucketizer). Per bin: the rows, the sum of their scores and the sum of their squared
   * scores. Scores are probabilities, so a bin's sum lies in [0, count] and its sum of squares in
   * [0, sum].
   */
  public record Histogram(double[] edges, long[] counts, double[] sums, double[] sumSquares) {
    public Histogram {
      edges = edges.clone();
      counts = counts.clone();
      sums = sums.clone();
      sumSquares = sumSquares.clone();
      checkEdges(edges);
      int bins = edges.length + 1;
      if (counts.length != bins || sums.length != bins || sumSquares.length != bins) {
        throw new IllegalArgumentException(edges.length + " edges make " + bins + " bins, got "
            + counts.length + " counts, " + sums.length + " sums and " + sumSquares.length + " sums of squares");
      }
      for (int b = 0; b < bins; b++) {
        long c = counts[b];
        double s = sums[b];
        double q = sumSquares[b];
        boolean ok = c >= 0 && Double.isFinite(s) && Double.isFinite(q)
            && s >= 0 && s <= c * (1 + SLACK) && q >= 0 && q <= s * (1 + SLACK)
            && (c > 0 || (s == 0 && q == 0));
        if (!ok) {
          throw new IllegalArgumentException("bin " + b + " holds " + c + " rows with score sum " + s
              + " and sum of squares " + q + ": scores are probabilities, so need 0 <= sum of squares <= sum <= count");
        }
      }
    }

    /** The histogram of a few scores held locally (tests, small inputs). */
    public static Histogram of(double[] edges, double[] scores) {
      double[] e = edges.clone();
      checkEdges(e);
      long[] counts = new long[e.length + 1];
      double[] sums = new double[e.length + 1];
      double[] squares = new double[e.length + 1];
      for (double score : scores) {
        if (!(score >= 0 && score <= 1)) {
          throw new IllegalArgumentException("scores are probabilities in [0, 1], got " + score);
        }
        int b = bin(e, score);
        counts[b]++;
        sums[b] += score;
        squares[b] += score * score;
      }
      return new Histogram(e, counts, sums, squares);
    }

    public long rows() {
      long rows = 0;
      for (long c : counts) {
        rows += c;
      }
      return rows;
    }

    @Override
    public double[] edges() {
      return edges.clone();
    }

    @Override
    public long[] counts() {
      return counts.clone();
    }

    @Override
    public double[] sums() {
      return sums.clone();
    }

    @Override
    public double[] sumSquares() {
      return sumSquares.clone();
    }

    // Records compare arrays by reference; two histograms with the same contents are the same.
    @Override
    public boolean equals(Object o) {
      return o instanceof Histogram h && Arrays.equals(h.edges, edges) && Arrays.equals(h.counts, counts)
          && Arrays.equals(h.sums, sums) && Arrays.equals(h.sumSquares, sumSquares);
    }

    @Override
    public int hashCode() {
      return ((Arrays.hashCode(edges) * 31 + Arrays.hashCode(counts)) * 31 + Arrays.hashCode(sums)) * 31
          + Arrays.hashCode(sumSquares);
    }

    @Override
    public String toString() {
      return "Histogram[edges=" + Arrays.toString(edges) + ", counts=" + Arrays.toString(counts)
          + ", sums=" + Arrays.toString(sums) + ", sumSquares=" + Arrays.toString(sumSquares) + "]";
    }
  }

  /** {@link #edges(int, double)} with {@link #DEFAULT_FINE_BINS}. */
  public static double[] edges(double threshold) {
    return edges(DEFAULT_FINE_BINS, threshold);
  }

  /**
   * Edges for a {@link Histogram} at {@code threshold}: the uniform grid 1/fineBins, 2/fineBins …
   * (fineBins−1)/fineBins plus the edge {@code Math.nextUp(threshold)}, sorted and without
   * duplicates. A double is greater than t exactly when it is at least nextUp(t), so "score >
   * threshold" is exactly "in a bin at or right of that edge" and the expected confusion matrix
   * is exact. The grid's width bounds the AUC's binning error ({@link #aucBinningBound}).
   *
   * @param threshold in [0, 1): a score above it is predicted positive
   */
  public static double[] edges(int fineBins, double threshold) {
    if (fineBins < 1) {
      throw new IllegalArgumentException("fineBins must be >= 1, got " + fineBins);
    }
    double[] all = new double[fineBins];
    for (int i = 1; i < fineBins; i++) {
      all[i - 1] = (double) i / fineBins;
    }
    all[fineBins - 1] = cut(threshold);
    Arrays.sort(all);
    double[] edges = new double[fineBins];
    int n = 0;
    for (double edge : all) {
      if (n == 0 || edge > edges[n - 1]) {
        edges[n++] = edge;
      }
    }
    return Arrays.copyOf(edges, n);
  }

  /** {@link #estimate(Histogram, double)} of a histogram given as its arrays. */
  public static Estimate estimate(double[] edges, long[] counts, double[] sums, double[] sumSquares,
      double threshold) {
    return estimate(new Histogram(edges, counts, sums, sumSquares), threshold);
  }

  /**
   * The expected confusion matrix at {@code threshold}, exact under the calibration assumption.
   *
   * @throws IllegalArgumentException if {@code Math.nextUp(threshold)} is not one of the edges
   *     (build them with {@link #edges(int, double)}) or the histogram holds no rows
   */
  public static ExpectedConfusion expectedConfusion(Histogram histogram, double threshold) {
    nonEmpty(histogram);
    int firstPositive = firstPositiveBin(histogram.edges, threshold);
    double tp = 0;
    double fp = 0;
    double tn = 0;
    double fn = 0;
    for (int b = 0; b < histogram.counts.length; b++) {
      double positives = histogram.sums[b];
      double negatives = Math.max(0, histogram.counts[b] - positives);
      if (b >= firstPositive) {
        tp += positives;
        fp += negatives;
      } else {
        fn += positives;
        tn += negatives;
      }
    }
    return new ExpectedConfusion(tp, fp, tn, fn);
  }

  /**
   * The expected performance at {@code threshold} (a score above it is predicted positive).
   *
   * <p>Confusion-matrix metrics come from {@link #expectedConfusion}: accuracy (TP+TN)/rows,
   * precision TP/(TP+FP) and 0 when no row is predicted positive, recall TP/(TP+FN) and 0 when
   * no positive is expected, F1 their harmonic mean and 0 when both are 0.
   *
   * <p>AUC-ROC is A/D. D = E[#pos·#neg] = (Σp)(Σ(1−p)) − Σp(1−p), the expected number of ordered
   * pairs (i positive, j negative) of distinct rows. A = Σ over such pairs of
   * P(i pos)·P(j neg)·([s_i > s_j] + ½[s_i = s_j]), computed over bins: a pair in different bins
   * is ordered by its bins, a pair in the same bin counts ½ as if tied. With P_b, N_b = the
   * bin's positive and negative masses (its score sum, its count minus that) and V_b = Σ p(1−p)
   * over its rows (its sum minus its sum of squares),
   * <pre>
   *   A = Σ_b P_b·(Σ_{c<b} N_c) + ½·Σ_b (P_b·N_b − V_b)
   * </pre>
   * where P_b·N_b − V_b is exactly Σ_{i≠j in b} p_i(1−p_j). The only approximation is the ½ for
   * a same-bin pair of unequal scores: it is exact when every bin holds one distinct score, and
   * otherwise low by at most {@link #aucBinningBound} (of order 1e-6 for 1000 fine bins over
   * scores that spread across them).
   *
   * @throws IllegalArgumentException if the histogram holds no rows (there is nothing to
   *     estimate: an empty date is a missing date, not a date with NaN performance), or if
   *     {@code Math.nextUp(threshold)} is not one of its edges
   */
  public static Estimate estimate(Histogram histogram, double threshold) {
    ExpectedConfusion cm = expectedConfusion(histogram, threshold);
    long rows = histogram.rows();
    int firstPositive = firstPositiveBin(histogram.edges, threshold);
    long predictedPositive = 0;
    for (int b = firstPositive; b < histogram.counts.length; b++) {
      predictedPositive += histogram.counts[b];
    }
    double tp = cm.truePositives();
    double expectedPositives = tp + cm.falseNegatives();
    double precision = predictedPositive == 0 ? 0.0 : tp / (tp + cm.falsePositives());
    double recall = expectedPositives == 0 ? 0.0 : tp / expectedPositives;
    double f1 = precision + recall == 0 ? 0.0 : 2 * precision * recall / (precision + recall);
    double accuracy = (tp + cm.trueNegatives()) / rows;
    return new Estimate(rows, aucRoc(histogram), accuracy, precision, recall, f1, expectedPositives / rows);
  }

  /**
   * The expected AUC-ROC of {@link #estimate}; it needs no threshold. NaN when no (positive,
   * negative) pair is possible.
   */
  public static double aucRoc(Histogram histogram) {
    nonEmpty(histogram);
    double negativesBelow = 0;
    double pairs = 0;
    double sumP = 0;
    double sumN = 0;
    double sumV = 0;
    for (int b = 0; b < histogram.counts.length; b++) {
      double p = histogram.sums[b];
      double n = Math.max(0, histogram.counts[b] - p);
      double v = Math.max(0, p - histogram.sumSquares[b]);
      pairs += p * negativesBelow + 0.5 * Math.max(0, p * n - v);
      negativesBelow += n;
      sumP += p;
      sumN += n;
      sumV += v;
    }
    double expectedPairs = sumP * sumN - sumV;
    return expectedPairs > 0 ? pairs / expectedPairs : Double.NaN;
  }

  /**
   * How far below the exact expected AUC the binned one can be. Two rows of one bin with scores
   * s_i > s_j contribute p_i(1−p_j) to A but are counted ½·(p_i(1−p_j) + p_j(1−p_i)), which is
   * less by ½(s_i − s_j) (p = s). Over a bin's m = c(c−1)/2 pairs, Σ|s_i − s_j| is at most
   * m·width (the outer bins taken as [0, e1) and [ek, 1]) and, by Cauchy–Schwarz, at most
   * √(m·Σ(s_i − s_j)²) = √(m·(c·Σs² − (Σs)²)), which is 0 for a bin of equal scores. The bound
   * is ½·Σ_b min(those two) / D. For 1000 fine bins and n rows spread over them it is of order
   * 1/(4·1000²·π(1−π)), π the positive rate (about 1e-6); it grows when the scores crowd into
   * few bins. NaN where the AUC is.
   */
  public static double aucBinningBound(Histogram histogram) {
    nonEmpty(histogram);
    double[] edges = histogram.edges;
    double excess = 0;
    double sumP = 0;
    double sumN = 0;
    double sumV = 0;
    for (int b = 0; b < histogram.counts.length; b++) {
      double lower = b == 0 ? 0 : edges[b - 1];
      double upper = b == edges.length ? 1 : edges[b];
      double c = histogram.counts[b];
      double p = histogram.sums[b];
      double q = histogram.sumSquares[b];
      double pairsInBin = c * (c - 1) / 2;
      double spread = Math.sqrt(pairsInBin * Math.max(0, c * q - p * p));
      excess += 0.5 * Math.min(pairsInBin * (upper - lower), spread);
      sumP += p;
      sumN += Math.max(0, c - p);
      sumV += Math.max(0, p - q);
    }
    double expectedPairs = sumP * sumN - sumV;
    return expectedPairs > 0 ? excess / expectedPairs : Double.NaN;
  }

  /** The first bin predicted positive: the one right of the edge nextUp(threshold). */
  private static int firstPositiveBin(double[] edges, double threshold) {
    double cut = cut(threshold);
    int at = Arrays.binarySearch(edges, cut);
    if (at < 0) {
      throw new IllegalArgumentException("threshold " + threshold + " is not a bin boundary: the edges must hold"
          + " Math.nextUp(threshold) = " + cut + " (see EstimatedPerformance.edges)");
    }
    return at + 1;
  }

  /** The smallest double predicted positive at {@code threshold}. */
  private static double cut(double threshold) {
    double cut = Math.nextUp(threshold);
    if (!(threshold >= 0 && cut < 1)) {
      throw new IllegalArgumentException("threshold must be in [0, 1), got " + threshold);
    }
    return cut;
  }

  private static void nonEmpty(Histogram histogram) {
    if (histogram.rows() == 0) {
      throw new IllegalArgumentException("the histogram holds no rows: there is no performance to estimate");
    }
  }

  private static void checkEdges(double[] edges) {
    for (int i = 0; i < edges.length; i++) {
      if (!(edges[i] > 0 && edges[i] < 1) || (i > 0 && edges[i] <= edges[i - 1])) {
        throw new IllegalArgumentException("score bin edges must be strictly increasing and inside (0, 1), got "
            + Arrays.toString(edges));
      }
    }
  }

  /** The bin of a score: how many edges are at or below it. */
  private static int bin(double[] edges, double score) {
    int at = Arrays.binarySearch(edges, score + 0.0);
    return at >= 0 ? at + 1 : -at - 1;
  }
}
