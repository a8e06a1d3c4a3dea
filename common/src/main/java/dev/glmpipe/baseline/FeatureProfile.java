package dev.glmpipe.baseline;

import dev.glmpipe.Sql;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.config.FeaturesConfig.HashedFeature;
import dev.glmpipe.config.FeaturesConfig.NumericFeature;
import dev.glmpipe.features.FeaturePipeline;
import dev.glmpipe.features.FeatureSpecHash;
import dev.glmpipe.features.NumericSummary;
import dev.glmpipe.features.StatisticsPass;
import dev.glmpipe.features.LevelCounts.Level;
import dev.glmpipe.features.LevelCounts.Levels;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * {@code profile.json} of a model version: how every feature's input looked on the training
 * rows, the baseline drift monitoring compares new data with. Numeric inputs get count, nulls,
 * mean, std, min, max and quantiles; everything one-hot or hashed gets its most frequent values
 * (the same strings the model's levels use, e.g. {@code Mon} for a day of week). Values are the
 * inputs as they arrive, before imputation, clipping or transforms.
 *
 * <p>One Spark job whatever the number of features ({@link StatisticsPass}): the numeric
 * statistics are observed while the frequencies of everything else are counted. In train the
 * same pass also fits the feature stages. Counts, mean, std, min and max are exact; quantiles
 * are exact up to {@value dev.glmpipe.features.NumericSummary#SAMPLE} values per column and
 * come from a uniform sample of that many above (rank error about 0.4% at the median).
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

  /** The profile in a pass of its own (train gets it from its one statistics pass instead). */
  public static FeatureProfile compute(Dataset<Row> rows, FeaturesConfig spec) {
    StatisticsPass pass = new StatisticsPass();
    request(spec, rows.schema(), pass);
    return read(spec, rows.schema(), pass.run(rows, lit(true)));
  }

  /** Registers the profile's statistics with a pass over the training rows. */
  public static void request(FeaturesConfig spec, StructType schema, StatisticsPass pass) {
    pass.countTrainingRows(ROWS);
    for (NumericFeature n : spec.numericOrEmpty()) {
      pass.numeric(raw(n), true);
    }
    for (LevelQuery q : levelQueries(schema, spec)) {
      pass.countLevels(q.sql(), 1, TOP_LEVELS);
    }
  }

  public static FeatureProfile read(FeaturesConfig spec, StructType schema, StatisticsPass.Results r) {
    long total = r.count(ROWS);
    List<Feature> features = new ArrayList<>();
    for (NumericFeature n : spec.numericOrEmpty()) {
      NumericSummary.Stats s = r.numeric(raw(n));
      List<Double> quantiles = s.count() == 0 ? null : QUANTILES.stream().map(s::quantile).toList();
      features.add(Feature.numeric(n, total, s.count(),
          finite(s.mean()), finite(s.std()), finite(s.min()), finite(s.max()), quantiles));
    }
    for (LevelQuery q : levelQueries(schema, spec)) {
      features.add(Feature.levels(q.name(), q.kind(), q.columns(), total, r.levels(q.sql(), 1, TOP_LEVELS)));
    }
    return new FeatureProfile(FeatureSpecHash.of(spec), total, QUANTILES, TOP_LEVELS, features);
  }

  private static final String ROWS = "profile.rows";

  /** The input value as it arrives, before imputation or transforms. */
  static String raw(NumericFeature n) {
    return "CAST(" + Sql.quote(n.column()) + " AS DOUBLE)";
  }

  private record LevelQuery(String name, String sql, String kind, List<String> columns) {}

  /** Booleans, then the model's level features (same expressions), then hashed columns. */
  private static List<LevelQuery> levelQueries(StructType schema, FeaturesConfig spec) {
    List<LevelQuery> out = new ArrayList<>();
    for (String b : spec.booleanOrEmpty()) {
      out.add(new LevelQuery(b, Sql.quote(b), "boolean", List.of(b)));
    }
    for (FeaturePipeline.LevelExpression l : FeaturePipeline.levelExpressions(spec, schema)) {
      out.add(new LevelQuery(l.name(), l.sql(), l.kind(), l.columns()));
    }
    for (HashedFeature h : spec.hashedOrEmpty()) {
      out.add(new LevelQuery(h.column(), Sql.quote(h.column()), "hashed", List.of(h.column())));
    }
    return out;
  }

  /** JSON has no NaN: a statistic Spark could not compute (no values) is null. */
  private static Double finite(Double v) {
    return v == null || !Double.isFinite(v) ? null : v;
  }
}
