package dev.glmpipe.monitor;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.randn;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.glmpipe.monitor.EstimatedPerformance.Estimate;
import dev.glmpipe.monitor.EstimatedPerformance.ExpectedConfusion;
import dev.glmpipe.monitor.EstimatedPerformance.Histogram;
import dev.glmpipe.testing.SharedSpark;
import java.util.Arrays;
import java.util.Random;
import java.util.TreeSet;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.Bucketizer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.mllib.evaluation.BinaryClassificationMetrics;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

class EstimatedPerformanceTest {
  private static final double TOL = 1e-12;
  private static final double THRESHOLD = 0.5;

  // ---- by hand ----

  @Test
  void fourScoresGiveTheConfusionMatrixAndAucWrittenOut() {
    // Scores 0.9, 0.8 are above 0.5, so predicted positive; 0.3, 0.1 are not.
    //   TP = 0.9 + 0.8 = 1.7        FP = 0.1 + 0.2 = 0.3
    //   FN = 0.3 + 0.1 = 0.4        TN = 0.7 + 0.9 = 1.6
    // accuracy (1.7 + 1.6)/4 = 0.825, precision 1.7/2.0 = 17/20, recall 1.7/2.1 = 17/21,
    // F1 = 2·17/(20 + 21) = 34/41, positive rate 2.1/4 = 0.525.
    // AUC: pairs (i above j) weigh p_i·(1 − p_j), no ties:
    //   0.9·0.2 + 0.9·0.7 + 0.9·0.9 + 0.8·0.7 + 0.8·0.9 + 0.3·0.9
    //   = 0.18 + 0.63 + 0.81 + 0.56 + 0.72 + 0.27 = 3.17
    // D = (Σp)(Σ(1−p)) − Σp(1−p) = 2.1·1.9 − (0.09 + 0.16 + 0.21 + 0.09) = 3.99 − 0.55 = 3.44
    // (the pairs the other way round weigh 0.27, and 3.17 + 0.27 = 3.44), AUC = 3.17/3.44.
    Histogram h = Histogram.of(EstimatedPerformance.edges(THRESHOLD), new double[] {0.9, 0.8, 0.3, 0.1});

    ExpectedConfusion cm = EstimatedPerformance.expectedConfusion(h, THRESHOLD);
    assertThat(cm.truePositives()).isCloseTo(1.7, within(TOL));
    assertThat(cm.falsePositives()).isCloseTo(0.3, within(TOL));
    assertThat(cm.falseNegatives()).isCloseTo(0.4, within(TOL));
    assertThat(cm.trueNegatives()).isCloseTo(1.6, within(TOL));

    Estimate e = EstimatedPerformance.estimate(h, THRESHOLD);
    assertThat(e.rows()).isEqualTo(4);
    assertThat(e.accuracy()).isCloseTo(0.825, within(TOL));
    assertThat(e.precision()).isCloseTo(17.0 / 20, within(TOL));
    assertThat(e.recall()).isCloseTo(17.0 / 21, within(TOL));
    assertThat(e.f1()).isCloseTo(34.0 / 41, within(TOL));
    assertThat(e.positiveRate()).isCloseTo(0.525, within(TOL));
    assertThat(e.aucRoc()).isCloseTo(3.17 / 3.44, within(TOL));
  }

  @Test
  void equalScoresCountOneHalf() {
    // 0.6, 0.6, 0.2. The two 0.6 tie: ½·(0.6·0.4 + 0.6·0.4) = 0.24; each 0.6 above 0.2: 2·0.6·0.8 = 0.96.
    // A = 1.2, D = 1.4·1.6 − (0.24 + 0.24 + 0.16) = 1.6, AUC = 0.75.
    Histogram h = Histogram.of(EstimatedPerformance.edges(THRESHOLD), new double[] {0.6, 0.2, 0.6});
    assertThat(EstimatedPerformance.estimate(h, THRESHOLD).aucRoc()).isCloseTo(0.75, within(TOL));
  }

  @Test
  void aScoreEqualToTheThresholdIsPredictedNegative() {
    // 0.5 is not > 0.5: with the edge nextUp(0.5) it stays left, a false negative of mass 0.5.
    Histogram h = Histogram.of(EstimatedPerformance.edges(THRESHOLD), new double[] {0.5, 0.7});
    ExpectedConfusion cm = EstimatedPerformance.expectedConfusion(h, THRESHOLD);
    assertThat(cm.truePositives()).isCloseTo(0.7, within(TOL));
    assertThat(cm.falsePositives()).isCloseTo(0.3, within(TOL));
    assertThat(cm.falseNegatives()).isCloseTo(0.5, within(TOL));
    assertThat(cm.trueNegatives()).isCloseTo(0.5, within(TOL));
  }

  @Test
  void sameBinPairsCountOneHalfAndStayWithinTheBound() {
    // One bin [0, nextUp(0.5)) holds 0.2 and 0.4. Exact A = 0.4·0.8 = 0.32; binned A = ½(0.32 + 0.2·0.6) = 0.22;
    // D = 0.6·1.4 − (0.16 + 0.24) = 0.44. The binned AUC is low by ½(0.4 − 0.2)/0.44.
    Histogram h = Histogram.of(new double[] {Math.nextUp(0.5)}, new double[] {0.2, 0.4});
    double binned = EstimatedPerformance.aucRoc(h);
    assertThat(binned).isCloseTo(0.5, within(TOL));
    assertThat(0.32 / 0.44 - binned).isCloseTo(0.1 / 0.44, within(TOL))
        .isLessThanOrEqualTo(EstimatedPerformance.aucBinningBound(h) + TOL);
  }

  @Test
  void zeroDivisionsFollowTheHoldoutEvaluator() {
    // Nothing above 0.5: no predicted positive, so precision 0, recall 0, F1 0.
    Estimate low = EstimatedPerformance.estimate(
        Histogram.of(EstimatedPerformance.edges(THRESHOLD), new double[] {0.1, 0.2}), THRESHOLD);
    assertThat(low.precision()).isZero();
    assertThat(low.recall()).isZero();
    assertThat(low.f1()).isZero();
    assertThat(low.accuracy()).isCloseTo(0.85, within(TOL));
    // Every score 0: no positive expected at all, and no (positive, negative) pair: AUC NaN.
    Estimate zeros = EstimatedPerformance.estimate(
        Histogram.of(EstimatedPerformance.edges(THRESHOLD), new double[] {0, 0, 0}), THRESHOLD);
    assertThat(zeros.recall()).isZero();
    assertThat(zeros.accuracy()).isEqualTo(1.0);
    assertThat(zeros.aucRoc()).isNaN();
    assertThat(EstimatedPerformance.estimate(
        Histogram.of(EstimatedPerformance.edges(THRESHOLD), new double[] {0.7}), THRESHOLD).aucRoc()).isNaN();
  }

  // ---- edges and validation ----

  @Test
  void edgesAreTheGridPlusTheThresholdCut() {
    double[] edges = EstimatedPerformance.edges(10, 0.5);
    assertThat(edges).containsExactly(0.1, 0.2, 0.3, 0.4, 0.5, Math.nextUp(0.5), 0.6, 0.7, 0.8, 0.9);
    assertThat(EstimatedPerformance.edges(1000, 0.37)).hasSize(1000).contains(Math.nextUp(0.37));
    // A cut that falls on a grid point is not repeated.
    assertThat(EstimatedPerformance.edges(4, Math.nextDown(0.5))).containsExactly(0.25, 0.5, 0.75);
    assertThat(EstimatedPerformance.edges(1, 0.0)).containsExactly(Double.MIN_VALUE);
    assertThatThrownBy(() -> EstimatedPerformance.edges(0, 0.5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EstimatedPerformance.edges(10, 1.0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EstimatedPerformance.edges(10, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsEmptyHistogramsMissingCutsAndNonProbabilities() {
    double[] edges = EstimatedPerformance.edges(10, THRESHOLD);
    assertThatThrownBy(() -> EstimatedPerformance.estimate(Histogram.of(edges, new double[0]), THRESHOLD))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no rows");
    Histogram h = Histogram.of(edges, new double[] {0.3, 0.8});
    assertThatThrownBy(() -> EstimatedPerformance.estimate(h, 0.45))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a bin boundary");
    assertThatThrownBy(() -> Histogram.of(edges, new double[] {1.5}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Histogram.of(new double[] {0.5, 0.5}, new double[] {0.1}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Histogram.of(new double[] {0.0, 0.5}, new double[] {0.1}))
        .isInstanceOf(IllegalArgumentException.class);
    // A bin's sum cannot exceed its count, nor its sum of squares its sum.
    assertThatThrownBy(() -> new Histogram(new double[] {0.5}, new long[] {1, 1}, new double[] {0.2, 1.5},
        new double[] {0.04, 1.0})).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Histogram(new double[] {0.5}, new long[] {1, 1}, new double[] {0.2, 0.7},
        new double[] {0.3, 0.49})).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Histogram(new double[] {0.5}, new long[] {1}, new double[] {0.2},
        new double[] {0.04})).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theArrayFormMatchesTheHistogramForm() {
    double[] edges = EstimatedPerformance.edges(20, THRESHOLD);
    Histogram h = Histogram.of(edges, new double[] {0.05, 0.5, 0.55, 0.99, 1.0, 0.0});
    assertThat(h.rows()).isEqualTo(6);
    assertThat(EstimatedPerformance.estimate(h.edges(), h.counts(), h.sums(), h.sumSquares(), THRESHOLD))
        .isEqualTo(EstimatedPerformance.estimate(h, THRESHOLD));
    assertThat(new Histogram(h.edges(), h.counts(), h.sums(), h.sumSquares())).isEqualTo(h);
  }

  // ---- against a brute-force pairwise sum ----

  @Test
  void binnedAucMatchesThePairwiseSum() {
    Random random = new Random(11);
    double[] scores = new double[300];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = i % 10 == 9 ? scores[i - 5] : sigmoid(-0.3 + 1.4 * random.nextGaussian());  // some ties
    }
    double exact = bruteForceAuc(scores);

    // 1000 fine bins: the same-bin pairs are the only error, low and within the bound.
    Histogram fine = Histogram.of(EstimatedPerformance.edges(THRESHOLD), scores);
    double binned = EstimatedPerformance.estimate(fine, THRESHOLD).aucRoc();
    assertThat(binned).isCloseTo(exact, within(1e-3)).isLessThanOrEqualTo(exact + TOL);
    assertThat(exact - binned).isLessThanOrEqualTo(EstimatedPerformance.aucBinningBound(fine) + TOL);

    // Every distinct score on a bin of its own (plus the threshold cut): exact.
    TreeSet<Double> distinct = new TreeSet<>();
    for (double s : scores) {
      distinct.add(s);
    }
    distinct.add(Math.nextUp(THRESHOLD));
    double[] own = distinct.stream().mapToDouble(Double::doubleValue).toArray();
    Histogram exactBins = Histogram.of(own, scores);
    assertThat(EstimatedPerformance.estimate(exactBins, THRESHOLD).aucRoc()).isCloseTo(exact, within(TOL));
    // Tied scores share a bin, but equal scores make no error: the bound sees that (up to rounding).
    assertThat(EstimatedPerformance.aucBinningBound(exactBins)).isLessThan(1e-9);
  }

  /** Σ over ordered pairs of distinct rows of s_i(1 − s_j)([s_i > s_j] + ½[s_i = s_j]) over Σ s_i(1 − s_j). */
  private static double bruteForceAuc(double[] s) {
    double numerator = 0;
    double denominator = 0;
    for (int i = 0; i < s.length; i++) {
      for (int j = 0; j < s.length; j++) {
        if (i != j) {
          double w = s[i] * (1 - s[j]);
          denominator += w;
          numerator += s[i] > s[j] ? w : s[i] == s[j] ? 0.5 * w : 0;
        }
      }
    }
    return numerator / denominator;
  }

  // ---- Monte Carlo: labels drawn from the scores ----

  @Test
  void averagesOverDrawnLabelsMatchTheEstimate() {
    int n = 2000;
    int replicates = 2000;
    Random random = new Random(5);
    double[] scores = new double[n];
    for (int i = 0; i < n; i++) {
      scores[i] = sigmoid(-0.8 + 1.6 * random.nextGaussian());
    }
    Estimate estimate = EstimatedPerformance.estimate(
        Histogram.of(EstimatedPerformance.edges(THRESHOLD), scores), THRESHOLD);

    double[] ranks = midRanks(scores);
    double auc = 0;
    double accuracy = 0;
    double precision = 0;
    double recall = 0;
    double f1 = 0;
    for (int r = 0; r < replicates; r++) {
      long positives = 0;
      double rankSum = 0;
      long tp = 0;
      long fp = 0;
      long fn = 0;
      long tn = 0;
      for (int i = 0; i < n; i++) {
        boolean positive = random.nextDouble() < scores[i];
        boolean predicted = scores[i] > THRESHOLD;
        if (positive) {
          positives++;
          rankSum += ranks[i];
        }
        if (predicted) {
          if (positive) tp++; else fp++;
        } else {
          if (positive) fn++; else tn++;
        }
      }
      long negatives = n - positives;
      // Mann-Whitney with mid-ranks: ties count one half.
      auc += (rankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
      double p = tp + fp == 0 ? 0.0 : (double) tp / (tp + fp);
      double rc = tp + fn == 0 ? 0.0 : (double) tp / (tp + fn);
      accuracy += (double) (tp + tn) / n;
      precision += p;
      recall += rc;
      f1 += p + rc == 0 ? 0.0 : 2 * p * rc / (p + rc);
    }
    assertThat(auc / replicates).isCloseTo(estimate.aucRoc(), within(0.01));
    assertThat(accuracy / replicates).isCloseTo(estimate.accuracy(), within(0.01));
    assertThat(precision / replicates).isCloseTo(estimate.precision(), within(0.01));
    assertThat(recall / replicates).isCloseTo(estimate.recall(), within(0.01));
    assertThat(f1 / replicates).isCloseTo(estimate.f1(), within(0.01));
  }

  /** 1-based ranks of the scores, tied scores sharing their mean rank. */
  private static double[] midRanks(double[] scores) {
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
    double[] ranks = new double[scores.length];
    for (int start = 0; start < order.length; ) {
      int end = start;
      while (end + 1 < order.length && scores[order[end + 1]] == scores[order[start]]) {
        end++;
      }
      double rank = (start + end) / 2.0 + 1;
      for (int k = start; k <= end; k++) {
        ranks[order[k]] = rank;
      }
      start = end + 1;
    }
    return ranks;
  }

  // ---- an MLlib model on Spark ----

  /** Intercept, then the coefficients of x1, x2, x3. */
  private static final double[] TRUTH = {-0.4, 1.1, -0.8, 0.5};
  /** The same inputs' distribution, but x2's effect has turned round: a concept change. */
  private static final double[] CHANGED = {-0.4, 1.1, 0.8, 0.5};

  @Test
  void estimatesAnMllibModelFromItsScoresAloneAndMissesAConceptChange() {
    SparkSession spark = SharedSpark.get();
    Dataset<Row> train = sample(spark, 50_000, TRUTH, 1).cache();
    LogisticRegressionModel model;
    try {
      // Unregularized: calibrated on clean data. Without its training summary, which on Spark 4.0
      // holds the session and makes the model's prediction UDFs unserializable (as train keeps it).
      model = (LogisticRegressionModel) dev.glmpipe.spark.FittedModels.withoutSummary(
          new LogisticRegression().setMaxIter(100).fit(train));
    } finally {
      train.unpersist();
    }
    double[] edges = EstimatedPerformance.edges(THRESHOLD);

    Dataset<Row> fresh = scored(model, sample(spark, 50_000, TRUTH, 2)).cache();
    try {
      Estimate estimate = EstimatedPerformance.estimate(histogram(fresh, edges), THRESHOLD);
      assertThat(estimate.rows()).isEqualTo(50_000);
      assertThat(estimate.aucRoc()).isCloseTo(realizedAuc(fresh), within(0.02));
      assertThat(estimate.accuracy()).isCloseTo(realizedAccuracy(fresh), within(0.02));

      Dataset<Row> changed = scored(model, sample(spark, 50_000, CHANGED, 3)).cache();
      try {
        Estimate blind = EstimatedPerformance.estimate(histogram(changed, edges), THRESHOLD);
        // A fresh draw of the same inputs: the scores' distribution, and so the estimate, stay put ...
        assertThat(blind.aucRoc()).isCloseTo(estimate.aucRoc(), within(0.01));
        // ... but the labels no longer follow the scores, and the realized AUC falls.
        assertThat(blind.aucRoc() - realizedAuc(changed)).isGreaterThan(0.05);
      } finally {
        changed.unpersist();
      }
    } finally {
      fresh.unpersist();
    }
  }

  /**
   * Standard normal inputs x1..x3 (the same for every {@code coefficients} at one seed); labels
   * drawn from the logistic model {@code coefficients}. Generated by Spark with seeded columns
   * over fixed partitions, so no rows travel from the driver.
   */
  private static Dataset<Row> sample(SparkSession spark, int rows, double[] coefficients, long seed) {
    Column margin = lit(coefficients[0]);
    for (int j = 1; j <= 3; j++) {
      margin = margin.plus(col("x" + j).multiply(coefficients[j]));
    }
    Dataset<Row> inputs = spark.range(0, rows, 1, 2)
        .withColumn("x1", randn(seed * 10 + 1))
        .withColumn("x2", randn(seed * 10 + 2))
        .withColumn("x3", randn(seed * 10 + 3))
        .withColumn("label", when(rand(seed * 10 + 4).lt(lit(1).divide(lit(1).plus(exp(margin.multiply(-1))))), 1.0)
            .otherwise(0.0));
    return new VectorAssembler().setInputCols(new String[] {"x1", "x2", "x3"}).setOutputCol("features")
        .transform(inputs).select("features", "label");
  }

  /** The model's P(class 1) as {@code score}, with the label. */
  private static Dataset<Row> scored(LogisticRegressionModel model, Dataset<Row> rows) {
    return model.transform(rows)
        .select(org.apache.spark.ml.functions.vector_to_array(col("probability"), "float64").getItem(1).as("score"),
            col("label"));
  }

  /** The histogram as a monitoring job would aggregate it: bin, then count, sum, sum of squares. */
  private static Histogram histogram(Dataset<Row> scored, double[] edges) {
    double[] splits = new double[edges.length + 2];
    splits[0] = Double.NEGATIVE_INFINITY;
    System.arraycopy(edges, 0, splits, 1, edges.length);
    splits[splits.length - 1] = Double.POSITIVE_INFINITY;
    Dataset<Row> binned = new Bucketizer().setSplits(splits).setInputCol("score").setOutputCol("bin").transform(scored);
    long[] counts = new long[edges.length + 1];
    double[] sums = new double[edges.length + 1];
    double[] squares = new double[edges.length + 1];
    for (Row r : binned.groupBy("bin")
        .agg(count(lit(1)), sum("score"), sum(col("score").multiply(col("score")))).collectAsList()) {
      int b = (int) r.getDouble(0);
      counts[b] = r.getLong(1);
      sums[b] = r.getDouble(2);
      squares[b] = r.getDouble(3);
    }
    return new Histogram(edges, counts, sums, squares);
  }

  private static double realizedAuc(Dataset<Row> scored) {
    BinaryClassificationMetrics metrics = new BinaryClassificationMetrics(scored.javaRDD()
        .map(r -> new Tuple2<Object, Object>(r.getDouble(0), r.getDouble(1))).rdd());
    try {
      return metrics.areaUnderROC();
    } finally {
      metrics.unpersist();
    }
  }

  private static double realizedAccuracy(Dataset<Row> scored) {
    return scored.agg(avg(when(col("score").gt(THRESHOLD).equalTo(col("label").equalTo(1.0)), 1.0).otherwise(0.0)))
        .first().getDouble(0);
  }

  private static double sigmoid(double margin) {
    return 1 / (1 + Math.exp(-margin));
  }
}
