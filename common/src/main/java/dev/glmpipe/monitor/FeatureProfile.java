package dev.glmpipe.monitor;

import dev.glmpipe.Sql;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.stddev_samp;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.config.FeaturesConfig.HashedFeature;
import dev.glmpipe.config.FeaturesConfig.NumericFeature;
import dev.glmpipe.features.FeaturePipeline;
import dev.glmpipe.features.FeatureSpecHash;
import dev.glmpipe.features.LevelCounts;
import dev.glmpipe.features.LevelCounts.Level;
import dev.glmpipe.features.LevelCounts.Levels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code profile.json} of a model version: how every feature's input looked on the training
 * rows, the baseline drift monitoring compares new data with. Numeric inputs get count, nulls,
 * mean, std, min, max and quantiles; everything one-hot or hashed gets its most frequent values
 * (the same strings the model's levels use, e.g. {@code Mon} for a day of week). Values are the
 * inputs as they arrive, before imputation, clipping or transforms.
 *
 * <p>Two Spark jobs whatever the number of features: one aggregation for all numeric
 * statistics and the row count, one frequency count for all the rest ({@link LevelCounts}).
 *
 * @param rows training rows profiled
 * @param topLevels how many most frequent values each level list keeps at most
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FeatureProfile(
    String featureSpecHash, long rows, List<Double> quantileProbabilities, int topLevels, List<Feature> features) {

  public static final String FILE = "profile.json";
  public static final List<Double> QUANTILES = List.of(0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99);
  public static final int TOP_LEVELS = 100;
  /** percentile_approx accuracy: rank error at most 1/10,000 of the rows. */
  private static final int QUANTILE_ACCURACY = 10_000;

  /**
   * One feature's input statistics. Numeric ones fill {@code mean … quantiles}; the others fill
   * {@code distinct}, {@code top} and {@code otherCount} (non-null rows outside {@code top}).
   *
   * @param kind numeric, boolean, categorical, date_part, cross or hashed
   * @param count rows with a value; {@code count + nulls} is the profile's {@code rows}
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Feature(String name, String kind, List<String> columns, long count, long nulls,
      Double mean, Double std, Double min, Double max, List<Double> quantiles,
      Long distinct, List<Level> top, Long otherCount) {

    static Feature numeric(NumericFeature n, long rows, long count, Double mean, Double std, Double min, Double max,
        List<Double> quantiles) {
      return new Feature(n.column(), "numeric", List.of(n.column()), count, rows - count,
          mean, std, min, max, quantiles, null, null, null);
    }

    static Feature levels(String name, String kind, List<String> columns, long rows, Levels levels) {
      long top = levels.top().stream().mapToLong(Level::count).sum();
      return new Feature(name, kind, columns, levels.nonNull(), rows - levels.nonNull(),
          null, null, null, null, null, levels.distinct(), levels.top(), levels.nonNull() - top);
    }
  }

  public static FeatureProfile compute(Dataset<Row> rows, FeaturesConfig spec) {
    List<NumericFeature> numeric = spec.numericOrEmpty();
    List<Column> aggs = new ArrayList<>();
    Column[] probabilities = QUANTILES.stream().map(p -> lit(p)).toArray(Column[]::new);
    for (NumericFeature n : numeric) {
      Column x = Sql.column(n.column()).cast("double");
      aggs.add(count(x));
      aggs.add(avg(x));
      aggs.add(stddev_samp(x));
      aggs.add(min(x));
      aggs.add(max(x));
      aggs.add(percentile_approx(x, array(probabilities), lit(QUANTILE_ACCURACY)));
    }
    Row stats = rows.agg(count(lit(1)), aggs.toArray(Column[]::new)).first();
    long total = stats.getLong(0);

    List<Feature> features = new ArrayList<>();
    for (int i = 0; i < numeric.size(); i++) {
      int at = 1 + 6 * i;
      features.add(Feature.numeric(numeric.get(i), total, stats.getLong(at),
          finite(stats, at + 1), finite(stats, at + 2), finite(stats, at + 3), finite(stats, at + 4),
          stats.isNullAt(at + 5) ? null : stats.<Double>getList(at + 5)));
    }

    List<LevelQuery> queries = levelQueries(rows, spec);
    Map<String, Levels> counted = LevelCounts.of(rows, queries.stream().map(LevelQuery::query).toList());
    for (LevelQuery q : queries) {
      features.add(Feature.levels(q.query().name(), q.kind(), q.columns(), total, counted.get(q.query().name())));
    }
    return new FeatureProfile(FeatureSpecHash.of(spec), total, QUANTILES, TOP_LEVELS, features);
  }

  private record LevelQuery(LevelCounts.Query query, String kind, List<String> columns) {}

  /** Booleans, then the model's level features (same expressions), then hashed columns. */
  private static List<LevelQuery> levelQueries(Dataset<Row> rows, FeaturesConfig spec) {
    List<LevelQuery> out = new ArrayList<>();
    for (String b : spec.booleanOrEmpty()) {
      out.add(new LevelQuery(query(b, Sql.column(b)), "boolean", List.of(b)));
    }
    for (FeaturePipeline.LevelExpression l : FeaturePipeline.levelExpressions(spec, rows.schema())) {
      out.add(new LevelQuery(query(l.name(), expr(l.sql())), l.kind(), l.columns()));
    }
    for (HashedFeature h : spec.hashedOrEmpty()) {
      out.add(new LevelQuery(query(h.column(), Sql.column(h.column())), "hashed", List.of(h.column())));
    }
    return out;
  }

  private static LevelCounts.Query query(String name, Column value) {
    return new LevelCounts.Query(name, value, 1, TOP_LEVELS);
  }

  /** JSON has no NaN: a statistic Spark could not compute (no values) is null. */
  private static Double finite(Row row, int i) {
    if (row.isNullAt(i)) {
      return null;
    }
    double v = row.getDouble(i);
    return Double.isFinite(v) ? v : null;
  }
}
