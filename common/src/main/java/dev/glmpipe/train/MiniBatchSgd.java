package dev.glmpipe.train;

import dev.glmpipe.Columns;
import dev.glmpipe.config.ModelConfig;
import java.io.Serializable;
import java.util.Arrays;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * Mini-batch gradient descent for binomial logistic and linear regression, minimizing the same
 * objective as MLlib's LogisticRegression / LinearRegression, so its model is interchangeable
 * with theirs: the mean weighted loss plus {@code regParam × (α‖β‖₁ + (1−α)/2 ‖β‖²)} on the
 * standardized coefficients (or on the raw ones when {@code standardization} is false), the
 * intercept never penalized; linear regression, like MLlib's, works with the label divided by its
 * standard deviation.
 *
 * <p>Each step is θ ← θ − α∇J(θ) on a sample of {@code mini_batch_fraction} of the rows
 * (sampled with a per-iteration seed, so reruns take the same steps), followed by the L1
 * proximal step (soft thresholding) when there is an L1 part. Features are scaled by their
 * standard deviation and centered implicitly (the centering is one constant per step), which
 * keeps sparse vectors sparse and makes one step size work across features. It stops after
 * {@code iterations} steps or when a step moves θ by less than
 * {@code convergence_tol × max(‖θ‖, 1)}, as MLlib's GradientDescent does.
 *
 * <p>Passes over the data: MLlib's solvers cache their own copy, this one has no other, so the
 * rows are cached here, once. One pass computes the feature moments (and fills the cache);
 * then one pass over the cache per step (over the sampled share when sampling).
 */
public final class MiniBatchSgd {
  private MiniBatchSgd() {}

  /**
   * @param coefficients in the units of the feature vector, as an MLlib model holds them
   * @param objectiveHistory the objective before each step (on that step's mini-batch)
   * @param converged true when the step tolerance stopped it before the iteration limit
   */
  public record Result(double[] coefficients, double intercept, double[] objectiveHistory, int iterations,
      boolean converged) {}

  /** One training row. */
  record Sample(double label, double weight, Vector features) implements Serializable {}

  /**
   * @param assembled rows with {@link Columns#LABEL}, the features vector column and,
   *     when {@code weightColumn} is not null, a weight column
   */
  public static Result fit(Dataset<Row> assembled, String featuresColumn, String weightColumn, boolean logistic,
      ModelConfig m, int aggregationDepth) {
    String weight = weightColumn;
    JavaRDD<Sample> samples = assembled.select(Columns.LABEL, featuresColumn).withColumn("__w",
            weight == null ? org.apache.spark.sql.functions.lit(1.0) : org.apache.spark.sql.functions.col(weight).cast("double"))
        .javaRDD()
        .map(r -> new Sample(r.getDouble(0), r.getDouble(2), (Vector) r.get(1)))
        .persist(StorageLevel.MEMORY_AND_DISK());
    samples.setName("glmpipe sgd training rows");
    try {
      return descend(samples, logistic, m, aggregationDepth);
    } finally {
      samples.unpersist(false);
    }
  }

  private static Result descend(JavaRDD<Sample> samples, boolean logistic, ModelConfig m, int depth) {
    Moments moments = samples.treeAggregate(new Moments(), Moments::add, Moments::merge, depth);
    if (moments.sum == null || moments.weightSum == 0) {
      throw new IllegalArgumentException("no training rows with positive weight");
    }
    int d = moments.sum.length;
    double[] mean = new double[d];
    double[] invStd = new double[d];
    for (int j = 0; j < d; j++) {
      mean[j] = moments.sum[j] / moments.weightSum;
      double std = Math.sqrt(moments.unbiasedVariance(moments.sum[j], moments.sumSq[j]));
      invStd[j] = std > 0 ? 1.0 / std : 0.0;  // a constant feature keeps a zero weight, as in MLlib
    }
    double yMean = moments.labelSum / moments.weightSum;
    double yStd = logistic ? 1.0 : Math.sqrt(moments.unbiasedVariance(moments.labelSum, moments.labelSumSq));
    double labelScale = yStd > 0 ? 1.0 / yStd : 1.0;
    boolean intercept = m.fitIntercept();
    // MLlib's linear regression penalizes in the scaled-label problem with regParam / yStd.
    double reg = logistic ? m.regParam() : m.regParam() * labelScale;
    double l1 = reg * m.elasticNetParam();
    double l2 = reg * (1 - m.elasticNetParam());
    double[] l2Weight = new double[d];
    double[] l1Weight = new double[d];
    for (int j = 0; j < d; j++) {
      // Penalizing the raw coefficient β_j·invStd_j instead of the standardized one.
      l2Weight[j] = m.standardization() ? 1.0 : invStd[j] * invStd[j];
      l1Weight[j] = m.standardization() ? 1.0 : invStd[j];
    }

    double[] beta = new double[d];
    double b = 0.0;
    if (intercept) {
      b = logistic ? Math.log(Math.max(yMean, 1e-12) / Math.max(1 - yMean, 1e-12)) : yMean * labelScale;
    }
    ModelConfig.SgdConfig sgd = m.sgd();
    double step = sgd.stepSize();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(samples.context());
    Broadcast<double[]> bcInvStd = jsc.broadcast(invStd);
    double[] history = new double[sgd.iterations()];
    int done = 0;
    boolean converged = false;
    for (int iter = 1; iter <= sgd.iterations(); iter++) {
      JavaRDD<Sample> batch = sgd.miniBatchFraction() >= 1.0 ? samples
          : samples.sample(false, sgd.miniBatchFraction(), 42L + iter);
      double[] theta = Arrays.copyOf(beta, d + 1);
      theta[d] = b;
      Broadcast<double[]> bc = jsc.broadcast(theta);
      double offset = 0.0;
      if (intercept) {
        for (int j = 0; j < d; j++) {
          offset += beta[j] * mean[j] * invStd[j];
        }
      }
      final double centering = offset;
      final double scale = labelScale;
      Gradient g = batch.treeAggregate(new Gradient(d),
          (acc, s) -> acc.add(s, bc.value(), bcInvStd.value(), centering, logistic, scale),
          Gradient::merge, depth);
      bc.destroy();
      if (g.weightSum == 0) {
        history[iter - 1] = iter > 1 ? history[iter - 2] : 0.0;
        done = iter;
        continue;
      }
      double objective = g.loss / g.weightSum;
      double norm = 0.0;
      double[] next = new double[d];
      for (int j = 0; j < d; j++) {
        double grad = g.grad[j] / g.weightSum;
        if (intercept) {
          grad -= mean[j] * invStd[j] * g.gradSum / g.weightSum;  // the implicit centering
        }
        grad += l2 * l2Weight[j] * beta[j];
        objective += 0.5 * l2 * l2Weight[j] * beta[j] * beta[j] + l1 * l1Weight[j] * Math.abs(beta[j]);
        double v = invStd[j] == 0.0 ? 0.0 : beta[j] - step * grad;
        double threshold = step * l1 * l1Weight[j];
        next[j] = threshold > 0 ? Math.signum(v) * Math.max(Math.abs(v) - threshold, 0.0) : v;
      }
      double nextB = intercept ? b - step * g.gradSum / g.weightSum : 0.0;
      history[iter - 1] = objective;
      double moved = (nextB - b) * (nextB - b);
      for (int j = 0; j < d; j++) {
        moved += (next[j] - beta[j]) * (next[j] - beta[j]);
        norm += next[j] * next[j];
      }
      norm += nextB * nextB;
      beta = next;
      b = nextB;
      done = iter;
      if (Math.sqrt(moved) < sgd.convergenceTol() * Math.max(Math.sqrt(norm), 1.0)) {
        converged = true;
        break;
      }
    }
    bcInvStd.destroy();
    // Back to the units of the feature vector: undo the scaling, the centering and the label scale.
    double[] coefficients = new double[d];
    double interceptOut = b;
    for (int j = 0; j < d; j++) {
      coefficients[j] = beta[j] * invStd[j] * yStd(logistic, yStd);
      if (intercept) {
        interceptOut -= beta[j] * mean[j] * invStd[j];
      }
    }
    interceptOut *= yStd(logistic, yStd);
    return new Result(coefficients, intercept ? interceptOut : 0.0, Arrays.copyOf(history, done), done, converged);
  }

  private static double yStd(boolean logistic, double yStd) {
    return logistic || yStd == 0 ? 1.0 : yStd;
  }

  /** Weighted sums for feature and label means and unbiased variances (MLlib's Summarizer definitions). */
  static final class Moments implements Serializable {
    double weightSum;
    double weightSqSum;
    double labelSum;
    double labelSumSq;
    double[] sum;
    double[] sumSq;

    static Moments add(Moments m, Sample s) {
      if (m.sum == null) {
        m.sum = new double[s.features().size()];
        m.sumSq = new double[s.features().size()];
      }
      double w = s.weight();
      if (w == 0) {
        return m;
      }
      m.weightSum += w;
      m.weightSqSum += w * w;
      m.labelSum += w * s.label();
      m.labelSumSq += w * s.label() * s.label();
      forEachActive(s.features(), (j, x) -> {
        m.sum[j] += w * x;
        m.sumSq[j] += w * x * x;
      });
      return m;
    }

    static Moments merge(Moments a, Moments b) {
      if (a.sum == null) {
        return b;
      }
      if (b.sum == null) {
        return a;
      }
      a.weightSum += b.weightSum;
      a.weightSqSum += b.weightSqSum;
      a.labelSum += b.labelSum;
      a.labelSumSq += b.labelSumSq;
      for (int j = 0; j < a.sum.length; j++) {
        a.sum[j] += b.sum[j];
        a.sumSq[j] += b.sumSq[j];
      }
      return a;
    }

    double unbiasedVariance(double s, double sq) {
      double denominator = weightSum - weightSqSum / weightSum;
      if (denominator <= 0) {
        return 0.0;
      }
      return Math.max(0.0, (sq - s * s / weightSum) / denominator);
    }
  }

  /** Gradient of the loss (unnormalized) on a mini-batch, in the scaled space. */
  static final class Gradient implements Serializable {
    final double[] grad;
    double gradSum;
    double loss;
    double weightSum;

    Gradient(int d) {
      grad = new double[d];
    }

    Gradient add(Sample s, double[] theta, double[] invStd, double centering, boolean logistic, double labelScale) {
      double w = s.weight();
      if (w == 0) {
        return this;
      }
      int d = grad.length;
      double[] margin = {theta[d] - centering};
      forEachActive(s.features(), (j, x) -> margin[0] += theta[j] * x * invStd[j]);
      double multiplier;
      if (logistic) {
        double z = margin[0];
        // log(1 + e^z) - y z, without overflow for large |z|
        double softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
        loss += w * (softplus - s.label() * z);
        multiplier = w * (1.0 / (1.0 + Math.exp(-z)) - s.label());
      } else {
        double r = margin[0] - s.label() * labelScale;
        loss += w * 0.5 * r * r;
        multiplier = w * r;
      }
      forEachActive(s.features(), (j, x) -> grad[j] += multiplier * x * invStd[j]);
      gradSum += multiplier;
      weightSum += w;
      return this;
    }

    static Gradient merge(Gradient a, Gradient b) {
      for (int j = 0; j < a.grad.length; j++) {
        a.grad[j] += b.grad[j];
      }
      a.gradSum += b.gradSum;
      a.loss += b.loss;
      a.weightSum += b.weightSum;
      return a;
    }
  }

  private interface ActiveConsumer {
    void accept(int index, double value);
  }

  private static void forEachActive(Vector v, ActiveConsumer f) {
    if (v instanceof SparseVector sv) {
      int[] idx = sv.indices();
      double[] vals = sv.values();
      for (int k = 0; k < idx.length; k++) {
        f.accept(idx[k], vals[k]);
      }
    } else {
      double[] vals = ((DenseVector) v).values();
      for (int k = 0; k < vals.length; k++) {
        if (vals[k] != 0.0) {
          f.accept(k, vals[k]);
        }
      }
    }
  }
}
