package dev.glmpipe.train;

import dev.glmpipe.Columns;
import dev.glmpipe.GlmpipeException;
import dev.glmpipe.Sql;
import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.features.FeatureStatistics;
import dev.glmpipe.features.LevelCounts;
import dev.glmpipe.features.StatisticsPass;
import dev.glmpipe.baseline.BaselineBuilder;
import dev.glmpipe.baseline.FeatureProfile;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The one read of the training window that comes before the solver: split counts, label counts
 * (logistic), the values the feature stages are fitted with and the baseline profile, all in a
 * single Spark job ({@link StatisticsPass}). The solver's own passes follow; see
 * {@link ModelTrainer} for the full count.
 *
 * @param labelCounts training rows per label value (logistic models; empty for linear ones)
 * @param profile null when not asked for
 * @param statistics the pass's results, kept when the baseline's per-day counts were asked for
 *     ({@link TrainingBaseline} builds the baseline from them once the model is fitted); else null
 */
public record TrainingPass(long trainRows, long holdoutRows, Map<Double, Long> labelCounts, FeatureStatistics features,
    FeatureProfile profile, StatisticsPass.Results statistics) {
  /** More label values than any sane multinomial model has: counting stops there. */
  static final int MAX_CLASSES = 10_000;
  private static final String ALL_ROWS = "split.rows";
  private static final String TRAIN_ROWS = "split.training_rows";
  private static final String LABEL_SQL = "CAST(" + Sql.quote(Columns.LABEL) + " AS STRING)";

  /**
   * @param rows every row of the window, with {@link Columns#LABEL}
   * @param isHoldout true for rows the split holds out
   */
  public static TrainingPass run(Dataset<Row> rows, Column isHoldout, FeaturesConfig spec, boolean logistic,
      boolean withProfile) {
    return run(rows, isHoldout, spec, logistic, withProfile, false);
  }

  /**
   * @param withBaseline also count the monitoring baseline's per-day histograms and levels
   *     (rows need the features table's {@code dt})
   */
  public static TrainingPass run(Dataset<Row> rows, Column isHoldout, FeaturesConfig spec, boolean logistic,
      boolean withProfile, boolean withBaseline) {
    StatisticsPass pass = new StatisticsPass();
    pass.countAllRows(ALL_ROWS);
    pass.countTrainingRows(TRAIN_ROWS);
    FeatureStatistics.request(spec, rows.schema(), pass);
    if (withProfile) {
      FeatureProfile.request(spec, rows.schema(), pass);
    }
    if (withBaseline) {
      BaselineBuilder.request(spec, rows.schema(), pass);
    }
    if (logistic) {
      pass.countLevels(LABEL_SQL, 1, MAX_CLASSES);
    }
    Dataset<Row> training = rows.where(isHoldout.unary_$bang());
    StatisticsPass.Results r = pass.run(rows, isHoldout.unary_$bang());
    if (r.count(TRAIN_ROWS) == 0) {
      throw GlmpipeException.dataContract("no training rows: " + (r.count(ALL_ROWS) == 0 ? "the window is empty"
          : "all " + r.count(ALL_ROWS) + " rows of the window are held out"));
    }
    FeatureStatistics features = FeatureStatistics.read(spec, rows.schema(), r, training);
    long train = features.rows();
    Map<Double, Long> labels = new TreeMap<>();
    if (logistic) {
      for (LevelCounts.Level l : r.levels(LABEL_SQL, 1, MAX_CLASSES).top()) {
        labels.put(Double.parseDouble(l.value()), l.count());
      }
    }
    return new TrainingPass(train, r.count(ALL_ROWS) - train, labels, features,
        withProfile ? FeatureProfile.read(spec, rows.schema(), r) : null, withBaseline ? r : null);
  }
}
