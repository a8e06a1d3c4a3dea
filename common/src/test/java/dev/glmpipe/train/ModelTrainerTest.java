package dev.glmpipe.train;

import static dev.glmpipe.train.GeneratedData.Kind.LINEAR;
import static dev.glmpipe.train.GeneratedData.Kind.LOGISTIC;
import static dev.glmpipe.train.GeneratedData.Kind.MULTINOMIAL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.glmpipe.Columns;
import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.config.ModelConfig;
import dev.glmpipe.config.ModelConfig.ClassWeight;
import dev.glmpipe.config.ModelConfig.Family;
import dev.glmpipe.config.ModelConfig.ModelType;
import dev.glmpipe.config.ModelConfig.SgdConfig;
import dev.glmpipe.config.ModelConfig.Solver;
import dev.glmpipe.features.FeaturePipeline;
import dev.glmpipe.testing.SharedSpark;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every solver against the model that generated the data, and against each other on the same
 * convex problem.
 */
class ModelTrainerTest {
  private final SparkSession spark = SharedSpark.get();

  static ModelConfig config(ModelType type, Solver solver, int maxIter, double reg, double elasticNet, SgdConfig sgd,
      ClassWeight weights) {
    return new ModelConfig("m", type, maxIter, reg, elasticNet, 1e-9, true, true, 0.5, Family.AUTO, solver, sgd, weights, null);
  }

  private static Map<String, Double> weights(PipelineModel model, FeaturesConfig spec) {
    Map<String, Double> out = new java.util.HashMap<>();
    ModelCoefficients c = ModelCoefficients.of(model, spec);
    c.coefficients().forEach(k -> out.put(k.feature(), k.valueInputUnits()));
    out.put("(intercept)", c.interceptInputUnits());
    return out;
  }

  /**
   * README "Passes over the data": the job reads the window's files twice (the statistics pass,
   * then the solver's first pass, which fills the kept matrix); every later solver pass reads the
   * kept copy. Measured as bytes the local file system served, against one plain scan of the
   * same columns.
   */
  @Test
  void theWindowIsReadFromStorageTwice(@TempDir java.nio.file.Path tmp) {
    String dir = tmp.resolve("window").toString();
    GeneratedData.rows(spark, LOGISTIC, 20_000, 11).repartition(4).write().parquet(dir);
    Dataset<Row> window = spark.read().parquet(dir);
    HoldoutSplit split = new HoldoutSplit(dev.glmpipe.config.TrainConfig.SplitBy.HASH, "id", 0.2, List.of());

    long before = bytesRead();
    window.select("id", "x1", "x2", "c", Columns.LABEL).queryExecution().toRdd().count();
    long oneScan = bytesRead() - before;

    before = bytesRead();
    TrainingPass pass = TrainingPass.run(window, split.isHoldout(), GeneratedData.WITH_CATEGORY, true, true);
    ModelTrainer.TrainedModel trained = new ModelTrainer(GeneratedData.WITH_CATEGORY,
        config(ModelType.LOGISTIC, Solver.AUTO, 100, 0.0, 0.0, null, null)).fit(TrainingFrames.training(window, split), pass);
    long train = bytesRead() - before;

    assertThat(trained.iterations()).isGreaterThan(2);
    assertThat((double) train / oneScan).isCloseTo(2.0, within(0.25));
  }

  private static long bytesRead() {
    return org.apache.hadoop.fs.FileSystem.getAllStatistics().stream()
        .filter(s -> s.getScheme().equals("file")).mapToLong(org.apache.hadoop.fs.FileSystem.Statistics::getBytesRead).sum();
  }

  @Test
  void logisticRecoversTheGeneratingCoefficients() {
    Dataset<Row> rows = GeneratedData.rows(spark, LOGISTIC, 20_000, 1).cache();
    ModelTrainer.TrainedModel trained = new ModelTrainer(GeneratedData.WITH_CATEGORY,
        config(ModelType.LOGISTIC, Solver.AUTO, 100, 0.0, 0.0, null, null)).fit(rows);
    Map<String, Double> w = weights(trained.pipeline(), GeneratedData.WITH_CATEGORY);

    assertThat(trained.solver()).isEqualTo("l-bfgs");
    assertThat(trained.convergence().converged()).as(trained.convergence().reason()).isTrue();
    assertThat(trained.iterations()).isLessThan(100).isEqualTo(trained.objectiveHistory().length - 1);
    // Standard errors here are about 0.02; 0.1 is five of them.
    assertThat(w.get("x1")).isCloseTo(GeneratedData.B1, within(0.1));
    assertThat(w.get("x2")).isCloseTo(GeneratedData.B2, within(0.1));
    // One-hot levels are identified relative to each other.
    assertThat(w.get("c=b") - w.get("c=a")).isCloseTo(GeneratedData.BB, within(0.12));
    assertThat(w.get("c=c") - w.get("c=a")).isCloseTo(GeneratedData.BC, within(0.12));
    assertThat(w.get("(intercept)") + w.get("c=a")).isCloseTo(GeneratedData.B0, within(0.12));
    rows.unpersist();
  }

  @Test
  void linearRecoversTheGeneratingCoefficientsWithEverySolver() {
    Dataset<Row> rows = GeneratedData.rows(spark, LINEAR, 5_000, 2).cache();
    for (Solver solver : Solver.values()) {
      SgdConfig sgd = new SgdConfig(0.5, 1.0, 500, 1e-10);
      ModelTrainer.TrainedModel trained = new ModelTrainer(GeneratedData.NUMERIC_ONLY,
          config(ModelType.LINEAR, solver, 100, 0.0, 0.0, sgd, null)).fit(rows);
      Map<String, Double> w = weights(trained.pipeline(), GeneratedData.NUMERIC_ONLY);
      assertThat(trained.convergence().converged()).as(solver + ": " + trained.convergence().reason()).isTrue();
      // Standard errors are about 0.007 with 5,000 rows and noise 0.5.
      assertThat(w.get("x1")).as(solver.name()).isCloseTo(GeneratedData.L1, within(0.03));
      assertThat(w.get("x2")).as(solver.name()).isCloseTo(GeneratedData.L2, within(0.03));
      assertThat(w.get("(intercept)")).as(solver.name()).isCloseTo(GeneratedData.L0, within(0.03));
    }
    rows.unpersist();
  }

  @Test
  void sgdLandsOnTheLbfgsSolutionOfTheSameConvexProblem() {
    Dataset<Row> logistic = GeneratedData.rows(spark, LOGISTIC, 5_000, 3).cache();
    // L2 makes the problem strongly convex: one optimum, which both solvers must find.
    ModelConfig lbfgs = config(ModelType.LOGISTIC, Solver.AUTO, 200, 0.01, 0.0, null, null);
    ModelConfig fullBatch = config(ModelType.LOGISTIC, Solver.SGD, 200, 0.01, 0.0, new SgdConfig(1.0, 1.0, 2000, 1e-10), null);
    ModelConfig miniBatch = config(ModelType.LOGISTIC, Solver.SGD, 200, 0.01, 0.0, new SgdConfig(0.5, 0.3, 300, 1e-10), null);
    Map<String, Double> reference = weights(new ModelTrainer(GeneratedData.WITH_CATEGORY, lbfgs).fit(logistic).pipeline(),
        GeneratedData.WITH_CATEGORY);
    ModelTrainer.TrainedModel full = new ModelTrainer(GeneratedData.WITH_CATEGORY, fullBatch).fit(logistic);
    assertThat(full.solver()).isEqualTo("sgd");
    assertThat(full.convergence().converged()).as(full.convergence().reason()).isTrue();
    assertThat(full.pipeline().stages()[full.pipeline().stages().length - 1]).isInstanceOf(LogisticRegressionModel.class);
    Map<String, Double> gd = weights(full.pipeline(), GeneratedData.WITH_CATEGORY);
    Map<String, Double> mb = weights(new ModelTrainer(GeneratedData.WITH_CATEGORY, miniBatch).fit(logistic).pipeline(),
        GeneratedData.WITH_CATEGORY);
    for (String f : reference.keySet()) {
      assertThat(gd.get(f)).as("full batch " + f).isCloseTo(reference.get(f), within(1e-3));
      assertThat(mb.get(f)).as("mini-batch " + f).isCloseTo(reference.get(f), within(0.05));
    }
    logistic.unpersist();

    // Linear with an elastic net: OWL-QN against gradient steps with soft thresholding.
    Dataset<Row> linear = GeneratedData.rows(spark, LINEAR, 5_000, 4).cache();
    Map<String, Double> owlqn = weights(new ModelTrainer(GeneratedData.NUMERIC_ONLY,
        config(ModelType.LINEAR, Solver.AUTO, 200, 0.1, 0.5, null, null)).fit(linear).pipeline(), GeneratedData.NUMERIC_ONLY);
    Map<String, Double> prox = weights(new ModelTrainer(GeneratedData.NUMERIC_ONLY,
        config(ModelType.LINEAR, Solver.SGD, 200, 0.1, 0.5, new SgdConfig(0.5, 1.0, 2000, 1e-12), null)).fit(linear).pipeline(),
        GeneratedData.NUMERIC_ONLY);
    // The penalty shrinks the weights visibly, so agreeing here means the same objective.
    assertThat(owlqn.get("x1")).isLessThan(GeneratedData.L1 - 0.05);
    for (String f : owlqn.keySet()) {
      assertThat(prox.get(f)).as("elastic net " + f).isCloseTo(owlqn.get(f), within(1e-3));
    }
    linear.unpersist();
  }

  @Test
  void multinomialFitsThreeClasses() {
    Dataset<Row> rows = GeneratedData.rows(spark, MULTINOMIAL, 30_000, 5).cache();
    ModelTrainer.TrainedModel trained = new ModelTrainer(GeneratedData.NUMERIC_ONLY,
        config(ModelType.LOGISTIC, Solver.AUTO, 200, 0.0, 0.0, null, null)).fit(rows);
    assertThat(trained.numClasses()).isEqualTo(3);
    assertThat(trained.convergence().converged()).as(trained.convergence().reason()).isTrue();
    LogisticRegressionModel lr = (LogisticRegressionModel) trained.pipeline().stages()[trained.pipeline().stages().length - 1];
    assertThat(lr.numClasses()).isEqualTo(3);
    ModelCoefficients c = ModelCoefficients.of(trained.pipeline(), GeneratedData.NUMERIC_ONLY);
    assertThat(c.intercept()).isNull();
    assertThat(c.intercepts()).hasSize(3);
    assertThat(c.coefficients()).hasSize(6).allMatch(k -> k.outcome() != null);
    // Softmax scores are identified up to a shared shift: compare each class with class 0.
    for (int k = 1; k < 3; k++) {
      assertThat(lr.coefficientMatrix().apply(k, 0) - lr.coefficientMatrix().apply(0, 0)).as("x1, class " + k)
          .isCloseTo(GeneratedData.M1[k], within(0.1));
      assertThat(lr.coefficientMatrix().apply(k, 1) - lr.coefficientMatrix().apply(0, 1)).as("x2, class " + k)
          .isCloseTo(GeneratedData.M2[k], within(0.1));
      assertThat(lr.interceptVector().apply(k) - lr.interceptVector().apply(0)).as("intercept, class " + k)
          .isCloseTo(GeneratedData.M0[k], within(0.1));
    }
    Vector p = (Vector) trained.pipeline().transform(rows).select(Columns.PROBABILITY).first().get(0);
    assertThat(p.size()).isEqualTo(3);
    rows.unpersist();
  }

  @Test
  void classWeightsMakeTheWeightedMeanProbabilityMatchTheWeightedLabels() {
    Dataset<Row> rows = GeneratedData.rows(spark, LOGISTIC, 5_000, 6).cache();
    long positives = rows.where(Columns.LABEL + " = 1").count();
    long negatives = rows.count() - positives;
    for (ClassWeight cw : List.of(ClassWeight.fromConfig("balanced"), ClassWeight.fromConfig(Map.of("1", 3.0)))) {
      ModelTrainer.TrainedModel trained = new ModelTrainer(GeneratedData.NUMERIC_ONLY,
          config(ModelType.LOGISTIC, Solver.AUTO, 200, 0.0, 0.0, null, cw)).fit(rows);
      double w1 = cw.balanced() ? (double) rows.count() / (2 * positives) : 3.0;
      double w0 = cw.balanced() ? (double) rows.count() / (2 * negatives) : 1.0;
      assertThat(trained.classWeights()).containsEntry("1", w1).containsEntry("0", w0);
      // At the optimum of a weighted log loss with a free intercept, Σ w (p − y) = 0.
      double[] sums = new double[2];
      for (Row r : trained.pipeline().transform(rows).select(Columns.LABEL, Columns.PROBABILITY).collectAsList()) {
        double w = r.getDouble(0) == 1.0 ? w1 : w0;
        sums[0] += w * ((Vector) r.get(1)).apply(1);
        sums[1] += w * r.getDouble(0);
      }
      assertThat(sums[0] / sums[1]).as(cw.toString()).isCloseTo(1.0, within(1e-4));
    }
    rows.unpersist();
  }

  @Test
  void solversThatDidNotConvergeAreFlagged() {
    Dataset<Row> rows = GeneratedData.rows(spark, LOGISTIC, 2_000, 7).cache();
    ModelTrainer.TrainedModel stopped = new ModelTrainer(GeneratedData.WITH_CATEGORY,
        config(ModelType.LOGISTIC, Solver.AUTO, 2, 0.0, 0.0, null, null)).fit(rows);
    assertThat(stopped.convergence().status()).isEqualTo("max_iter");
    assertThat(stopped.convergence().converged()).isFalse();

    Dataset<Row> linear = GeneratedData.rows(spark, LINEAR, 2_000, 8).cache();
    // A step far above 2 / (largest curvature) makes gradient descent diverge.
    ModelTrainer.TrainedModel diverged = new ModelTrainer(GeneratedData.NUMERIC_ONLY,
        config(ModelType.LINEAR, Solver.SGD, 50, 0.0, 0.0, new SgdConfig(5.0, 1.0, 50, 1e-9), null)).fit(linear);
    assertThat(diverged.convergence().status()).isIn("rising", "nan_objective");
    assertThat(diverged.convergence().converged()).isFalse();
    rows.unpersist();
    linear.unpersist();
  }

  @Test
  void normalEquationStandardErrorsMatchTheClosedForm() {
    Dataset<Row> rows = GeneratedData.rows(spark, LINEAR, 200, 9).cache();
    ModelTrainer.TrainedModel trained = new ModelTrainer(GeneratedData.NUMERIC_ONLY,
        config(ModelType.LINEAR, Solver.NORMAL, 100, 0.0, 0.0, null, null)).fit(rows);
    assertThat(trained.convergence().status()).isEqualTo("closed_form");

    // Independently: β = (X'X)⁻¹X'y with X = [x1, x2, 1], σ² = RSS / (n − 3), SE = √(σ² diag((X'X)⁻¹)).
    List<Row> data = rows.select("x1", "x2", Columns.LABEL).collectAsList();
    int n = data.size();
    double[][] xtx = new double[3][3];
    double[] xty = new double[3];
    for (Row r : data) {
      double[] x = {r.getDouble(0), r.getDouble(1), 1.0};
      for (int i = 0; i < 3; i++) {
        xty[i] += x[i] * r.getDouble(2);
        for (int j = 0; j < 3; j++) {
          xtx[i][j] += x[i] * x[j];
        }
      }
    }
    double[][] inv = invert(xtx);
    double[] beta = new double[3];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        beta[i] += inv[i][j] * xty[j];
      }
    }
    double rss = 0;
    for (Row r : data) {
      double e = r.getDouble(2) - (beta[0] * r.getDouble(0) + beta[1] * r.getDouble(1) + beta[2]);
      rss += e * e;
    }
    double sigma2 = rss / (n - 3);
    List<String> names = List.of("x1", "x2", "(intercept)");
    assertThat(trained.coefficientStatistics()).hasSize(3);
    for (int i = 0; i < 3; i++) {
      var s = trained.coefficientStatistics().get(i);
      double se = Math.sqrt(sigma2 * inv[i][i]);
      assertThat(s.feature()).isEqualTo(names.get(i));
      assertThat(s.estimate()).isCloseTo(beta[i], within(1e-8));
      assertThat(s.stdError()).isCloseTo(se, within(1e-8 * se + 1e-12));
      assertThat(s.tValue()).isCloseTo(beta[i] / se, within(1e-6 * Math.abs(beta[i] / se)));
      // |t| is above 20 for every true effect here: the p-values vanish.
      assertThat(s.pValue()).isBetween(0.0, 1e-10);
    }
    rows.unpersist();
  }

  /** Gauss–Jordan elimination with partial pivoting. */
  static double[][] invert(double[][] a) {
    int n = a.length;
    double[][] m = new double[n][2 * n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(a[i], 0, m[i], 0, n);
      m[i][n + i] = 1.0;
    }
    for (int c = 0; c < n; c++) {
      int pivot = c;
      for (int r = c + 1; r < n; r++) {
        if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) {
          pivot = r;
        }
      }
      double[] t = m[c];
      m[c] = m[pivot];
      m[pivot] = t;
      double d = m[c][c];
      for (int j = 0; j < 2 * n; j++) {
        m[c][j] /= d;
      }
      for (int r = 0; r < n; r++) {
        if (r != c) {
          double f = m[r][c];
          for (int j = 0; j < 2 * n; j++) {
            m[r][j] -= f * m[c][j];
          }
        }
      }
    }
    double[][] inv = new double[n][n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(m[i], n, inv[i], 0, n);
    }
    return inv;
  }

  @Test
  void everySolverSavesTheSameModelFormat() throws java.io.IOException {
    Dataset<Row> rows = GeneratedData.rows(spark, LINEAR, 1_000, 10).cache();
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("glmpipe-sgd-model");
    ModelTrainer.TrainedModel sgd = new ModelTrainer(GeneratedData.NUMERIC_ONLY,
        config(ModelType.LINEAR, Solver.SGD, 100, 0.0, 0.0, new SgdConfig(0.5, 1.0, 300, 1e-10), null)).fit(rows);
    sgd.pipeline().write().overwrite().save(dir.toUri().toString());
    PipelineModel loaded = PipelineModel.load(dir.toUri().toString());
    List<Row> before = sgd.pipeline().transform(rows).orderBy("id").select(Columns.PREDICTION).collectAsList();
    List<Row> after = loaded.transform(rows).orderBy("id").select(Columns.PREDICTION).collectAsList();
    assertThat(after).isEqualTo(before);
    assertThat(loaded.stages()[loaded.stages().length - 1]).isInstanceOf(org.apache.spark.ml.regression.LinearRegressionModel.class);
    assertThat(FeaturePipeline.FEATURES).isEqualTo(((org.apache.spark.ml.regression.LinearRegressionModel) loaded.stages()[loaded.stages().length - 1]).getFeaturesCol());
    rows.unpersist();
  }
}
