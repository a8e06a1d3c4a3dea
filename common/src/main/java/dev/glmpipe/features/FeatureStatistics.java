package dev.glmpipe.features;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.config.FeaturesConfig.Impute;
import dev.glmpipe.config.FeaturesConfig.NumericFeature;
import dev.glmpipe.config.FeaturesConfig.Scale;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * The values a feature spec's stages are fitted with — imputation values, scaling mean and
 * deviation, quantile bucket bounds, category levels — computed from one {@link StatisticsPass}
 * instead of one Spark job per MLlib estimator (Imputer, StandardScaler, QuantileDiscretizer,
 * StringIndexer each read the data once when fitted).
 *
 * <p>They equal what those estimators compute: the mean of the non-null prepared values, their
 * approximate median and quantiles at relative error 0.001 (the estimators' default), and the
 * sample mean and standard deviation of the imputed column. The last is derived from the
 * non-null values' moments, so it needs no second look at the data.
 *
 * <p>One case does need a second pass: quantile buckets of a column whose missing values are
 * imputed with its mean or median, since the bounds are quantiles of the imputed column and
 * the imputation value is known only after the first pass.
 */
public final class FeatureStatistics {
  /** Relative error of approximate quantiles, as Imputer and QuantileDiscretizer default to. */
  static final int QUANTILE_ACCURACY = 1000;
  static final String ROWS = "fit.rows";

  private final long rows;
  private final Map<String, Double> surrogates;
  private final Map<String, double[]> scaling;
  private final Map<String, double[]> splits;
  private final Map<String, List<String>> levels;

  private FeatureStatistics(long rows, Map<String, Double> surrogates, Map<String, double[]> scaling,
      Map<String, double[]> splits, Map<String, List<String>> levels) {
    this.rows = rows;
    this.surrogates = surrogates;
    this.scaling = scaling;
    this.splits = splits;
    this.levels = levels;
  }

  /** Registers what the spec's stages need with {@code pass}. */
  public static void request(FeaturesConfig spec, StructType schema, StatisticsPass pass) {
    pass.countTrainingRows(ROWS);
    for (NumericFeature n : spec.numericOrEmpty()) {
      pass.numeric(FeaturePipeline.numericSql(n), false);
      List<Double> probabilities = probabilities(n);
      if (!probabilities.isEmpty()) {
        pass.percentiles(key("pct", n), FeaturePipeline.numericSql(n), probabilities, QUANTILE_ACCURACY);
      }
    }
    for (LevelFeature l : LevelFeature.of(spec)) {
      if (l.fixedLevels() == null) {
        pass.countLevels(l.sql(schema), l.minCount(), l.topK());
      }
    }
  }

  /**
   * Reads the pass's results. {@code trainingRows} is read again only for buckets of an imputed
   * column with missing values (see the class comment).
   */
  public static FeatureStatistics read(FeaturesConfig spec, StructType schema, StatisticsPass.Results r,
      Dataset<Row> trainingRows) {
    long n = r.count(ROWS);
    if (n == 0) {
      throw GlmpipeException.dataContract("there are no training rows to fit the features on");
    }
    Map<String, Double> surrogates = new LinkedHashMap<>();
    Map<String, double[]> scaling = new LinkedHashMap<>();
    Map<String, double[]> splits = new LinkedHashMap<>();
    List<NumericFeature> needSecondPass = new ArrayList<>();
    for (NumericFeature f : spec.numericOrEmpty()) {
      NumericSummary.Stats moments = r.numeric(FeaturePipeline.numericSql(f));
      long m = moments.count();
      boolean imputed = f.impute() == Impute.MEAN || f.impute() == Impute.MEDIAN;
      List<Double> pct = probabilities(f).isEmpty() ? List.of() : r.percentiles(key("pct", f));
      Double surrogate = null;
      if (imputed) {
        if (m == 0) {
          throw GlmpipeException.dataContract("numeric feature '" + f.column() + "' has no values in the training rows: "
              + "its " + f.impute().name().toLowerCase(Locale.ROOT) + " cannot be imputed");
        }
        surrogate = f.impute() == Impute.MEAN ? moments.mean() : pct.get(0);
        surrogates.put(f.column(), surrogate);
      }
      if (f.buckets() == null && f.scale() == Scale.STANDARD) {
        double mean = moments.mean() == null ? 0.0 : moments.mean();
        Double var = moments.variance();
        scaling.put(f.column(), imputedMoments(n, m, mean, var == null ? 0.0 : var, surrogate == null ? mean : surrogate));
      }
      if (f.buckets() != null) {
        if (imputed && m < n) {
          needSecondPass.add(f);
        } else {
          int offset = f.impute() == Impute.MEDIAN ? 1 : 0;
          splits.put(f.column(), distinctSplits(pct == null ? List.of() : pct.subList(offset, pct.size())));
        }
      }
    }
    if (!needSecondPass.isEmpty()) {
      List<Column> aggs = new ArrayList<>();
      for (NumericFeature f : needSecondPass) {
        Column imputed = coalesce(expr(FeaturePipeline.numericSql(f)), lit(surrogates.get(f.column())));
        aggs.add(StatisticsPass.percentilesAsJson(imputed, bucketProbabilities(f), QUANTILE_ACCURACY));
      }
      Row q = trainingRows.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new)).first();
      for (int i = 0; i < needSecondPass.size(); i++) {
        splits.put(needSecondPass.get(i).column(), distinctSplits(StatisticsPass.parsePercentiles(q.getString(i))));
      }
    }
    Map<String, List<String>> levels = new LinkedHashMap<>();
    for (LevelFeature l : LevelFeature.of(spec)) {
      levels.put(l.key(), l.fixedLevels() != null ? l.fixedLevels()
          : r.levels(l.sql(schema), l.minCount(), l.topK()).values());
    }
    return new FeatureStatistics(n, surrogates, scaling, splits, levels);
  }

  public long rows() {
    return rows;
  }

  /** The imputation value of a mean- or median-imputed numeric column. */
  double surrogate(NumericFeature n) {
    return surrogates.get(n.column());
  }

  /** {mean, sample standard deviation} of a standardized column after imputation. */
  double[] scaling(NumericFeature n) {
    return scaling.get(n.column());
  }

  /** Bucket bounds, from −∞ to +∞, equal quantiles merged. */
  double[] splits(NumericFeature n) {
    return splits.get(n.column());
  }

  List<String> levels(LevelFeature l) {
    return levels.get(l.key());
  }

  /**
   * Mean and sample standard deviation of a column of {@code n} rows whose {@code m} non-null
   * values have mean {@code mean} and sample variance {@code var}, after the {@code n − m}
   * missing ones are set to {@code fill}. Sums of squared deviations add up by group.
   */
  static double[] imputedMoments(long n, long m, double mean, double var, double fill) {
    if (n == 0) {
      return new double[] {0.0, 0.0};
    }
    long missing = n - m;
    double all = (m * mean + missing * fill) / n;
    double ss = (m > 1 ? (m - 1) * var : 0.0) + m * (mean - all) * (mean - all) + missing * (fill - all) * (fill - all);
    return new double[] {all, n > 1 ? Math.sqrt(ss / (n - 1)) : 0.0};
  }

  /** The median (if imputed with it) first, then the inner bucket probabilities. */
  private static List<Double> probabilities(NumericFeature n) {
    List<Double> out = new ArrayList<>();
    if (n.impute() == Impute.MEDIAN) {
      out.add(0.5);
    }
    if (n.buckets() != null) {
      out.addAll(bucketProbabilities(n));
    }
    return out;
  }

  private static List<Double> bucketProbabilities(NumericFeature n) {
    List<Double> out = new ArrayList<>();
    for (int i = 1; i < n.buckets(); i++) {
      out.add((double) i / n.buckets());
    }
    return out;
  }

  /**
   * QuantileDiscretizer's bounds from inner quantiles: −∞ and +∞ at the ends, −0.0 as 0.0,
   * equal values merged, sorted.
   */
  static double[] distinctSplits(List<Double> inner) {
    List<Double> all = new ArrayList<>();
    all.add(Double.NEGATIVE_INFINITY);
    for (Double q : inner) {
      all.add(q == -0.0 ? 0.0 : q);
    }
    all.add(Double.POSITIVE_INFINITY);
    return all.stream().distinct().sorted().mapToDouble(Double::doubleValue).toArray();
  }

  private static String key(String stat, NumericFeature n) {
    return "fit." + stat + "." + n.column();
  }
}
