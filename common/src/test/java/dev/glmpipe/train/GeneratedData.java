package dev.glmpipe.train;

import dev.glmpipe.Columns;
import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.config.FeaturesConfig.CategoricalFeature;
import dev.glmpipe.config.FeaturesConfig.Impute;
import dev.glmpipe.config.FeaturesConfig.NumericFeature;
import dev.glmpipe.config.FeaturesConfig.Scale;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Seeded rows whose label follows a known model, so a fit can be checked against the truth:
 * two standard-normal numerics {@code x1, x2} and a category {@code c} in {a, b, c}.
 */
final class GeneratedData {
  static final FeaturesConfig NUMERIC_ONLY = new FeaturesConfig(
      List.of(new NumericFeature("x1", Impute.MEAN, Scale.NONE), new NumericFeature("x2", Impute.MEAN, Scale.NONE)),
      null, null, null, null, null);

  static final FeaturesConfig WITH_CATEGORY = new FeaturesConfig(
      List.of(new NumericFeature("x1", Impute.MEAN, Scale.NONE), new NumericFeature("x2", Impute.MEAN, Scale.NONE)),
      List.of(new CategoricalFeature("c")), null, null, null, null);

  /** Logistic truth: logit = B0 + B1 x1 + B2 x2 + BB [c = b] + BC [c = c]. */
  static final double B0 = -0.5;
  static final double B1 = 1.2;
  static final double B2 = -0.8;
  static final double BB = 0.7;
  static final double BC = -0.4;

  /** Linear truth: y = L0 + L1 x1 + L2 x2 + noise(σ = LS). */
  static final double L0 = 3.0;
  static final double L1 = 2.0;
  static final double L2 = -1.5;
  static final double LS = 0.5;

  /** Multinomial truth: class k's score is M0[k] + M1[k] x1 + M2[k] x2 (class 0 the reference). */
  static final double[] M0 = {0.0, 0.3, -0.2};
  static final double[] M1 = {0.0, 1.5, -1.0};
  static final double[] M2 = {0.0, -0.5, 1.2};

  enum Kind { LOGISTIC, LINEAR, MULTINOMIAL }

  private GeneratedData() {}

  static Dataset<Row> rows(SparkSession spark, Kind kind, int n, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    String[] levels = {"a", "b", "c"};
    List<Row> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      double x1 = gaussian(rnd);
      double x2 = gaussian(rnd);
      String c = levels[rnd.nextInt(3)];
      double label = switch (kind) {
        case LOGISTIC -> {
          double logit = B0 + B1 * x1 + B2 * x2 + (c.equals("b") ? BB : 0) + (c.equals("c") ? BC : 0);
          yield rnd.nextDouble() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
        }
        case LINEAR -> L0 + L1 * x1 + L2 * x2 + LS * gaussian(rnd);
        case MULTINOMIAL -> {
          double[] p = new double[3];
          double z = 0;
          for (int k = 0; k < 3; k++) {
            p[k] = Math.exp(M0[k] + M1[k] * x1 + M2[k] * x2);
            z += p[k];
          }
          double u = rnd.nextDouble() * z;
          yield u < p[0] ? 0 : u < p[0] + p[1] ? 1 : 2;
        }
      };
      rows.add(RowFactory.create("id-" + i, x1, x2, c, label));
    }
    StructType schema = new StructType().add("id", DataTypes.StringType).add("x1", DataTypes.DoubleType)
        .add("x2", DataTypes.DoubleType).add("c", DataTypes.StringType).add(Columns.LABEL, DataTypes.DoubleType);
    return spark.createDataFrame(rows, schema);
  }

  static double gaussian(SplittableRandom rnd) {
    // Box–Muller: the generator is seeded, so the data is the same on every run.
    double u1 = 1.0 - rnd.nextDouble();
    double u2 = rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
