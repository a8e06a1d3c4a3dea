package dev.glmpipe.config;

import java.util.List;
import java.util.Map;

/**
 * The declared feature spec: which contract columns feed the model and how each is prepared.
 * It is fitted on the training window and stored inside the model version, so scoring applies
 * exactly the parameters training saw. README.md ("Feature spec") documents every key.
 *
 * <p>Absent optional keys take their defaults in the compact constructors, so the bound record
 * is the effective spec: {@link #toTree()} of two specs that train the same model is the same.
 */
public record FeaturesConfig(
    @ConfigOptional List<NumericFeature> numeric,
    @ConfigOptional List<CategoricalFeature> categorical,
    @ConfigOptional @ConfigKey("boolean") List<String> booleanColumns,
    @ConfigOptional List<HashedFeature> hashed,
    @ConfigOptional List<TimestampFeature> timestamp,
    @ConfigOptional List<CrossFeature> crosses) {

  /** Levels kept per categorical or cross when {@code top_k} is not given; beyond it, hash. */
  public static final int DEFAULT_TOP_K = 1000;

  public enum Impute { MEAN, MEDIAN, CONSTANT }

  public enum Scale { NONE, STANDARD }

  public enum Transform { NONE, LOG1P }

  /** Calendar parts of a date or timestamp, each one-hot encoded over its fixed range. */
  public enum DatePart { DAY_OF_WEEK, MONTH, HOUR }

  /**
   * A numeric column, prepared in this order: missing values imputed (a {@code constant} is in
   * input units; mean and median are of the clipped, transformed values), clipped to
   * {@code clip: [lower, upper]}, transformed, then either standardized or replaced by the
   * one-hot of its quantile bucket ({@code buckets: N}).
   */
  public record NumericFeature(
      String column,
      @ConfigOptional Impute impute,
      @ConfigOptional Double imputeValue,
      @ConfigOptional List<Double> clip,
      @ConfigOptional Transform transform,
      @ConfigOptional Scale scale,
      @ConfigOptional Integer buckets) {
    public NumericFeature {
      impute = impute == null ? Impute.MEAN : impute;
      transform = transform == null ? Transform.NONE : transform;
      scale = scale == null ? Scale.NONE : scale;
    }

    /** The common case: impute and optionally standardize. */
    public NumericFeature(String column, Impute impute, Scale scale) {
      this(column, impute, null, null, null, scale, null);
    }
  }

  /**
   * A categorical column, one-hot encoded over the levels seen at least {@code min_count} times
   * in training, at most {@code top_k} of them (most frequent first). Rarer levels, values
   * unseen in training and nulls share one "other" slot.
   */
  public record CategoricalFeature(String column, @ConfigOptional Integer minCount, @ConfigOptional Integer topK) {
    public CategoricalFeature {
      minCount = minCount == null ? 1 : minCount;
      topK = topK == null ? DEFAULT_TOP_K : topK;
    }

    public CategoricalFeature(String column) {
      this(column, null, null);
    }
  }

  /** A high-cardinality column hashed into {@code buckets} slots (MLlib FeatureHasher). */
  public record HashedFeature(String column, int buckets) {}

  /** Calendar parts of a date or timestamp column, read in {@code time_zone} (default UTC). */
  public record TimestampFeature(String column, List<DatePart> parts, @ConfigOptional String timeZone) {
    public TimestampFeature {
      timeZone = timeZone == null ? "UTC" : timeZone;
    }
  }

  /**
   * The cross of two columns: each combination of their values is one level, encoded like a
   * categorical (same {@code min_count}, {@code top_k} and "other" slot).
   */
  public record CrossFeature(List<String> columns, @ConfigOptional Integer minCount, @ConfigOptional Integer topK) {
    public CrossFeature {
      minCount = minCount == null ? 1 : minCount;
      topK = topK == null ? DEFAULT_TOP_K : topK;
    }

    public CrossFeature(String first, String second) {
      this(List.of(first, second), null, null);
    }
  }

  public List<NumericFeature> numericOrEmpty() {
    return numeric == null ? List.of() : numeric;
  }

  public List<CategoricalFeature> categoricalOrEmpty() {
    return categorical == null ? List.of() : categorical;
  }

  public List<String> booleanOrEmpty() {
    return booleanColumns == null ? List.of() : booleanColumns;
  }

  public List<HashedFeature> hashedOrEmpty() {
    return hashed == null ? List.of() : hashed;
  }

  public List<TimestampFeature> timestampOrEmpty() {
    return timestamp == null ? List.of() : timestamp;
  }

  public List<CrossFeature> crossesOrEmpty() {
    return crosses == null ? List.of() : crosses;
  }

  /**
   * The spec as a config tree with the YAML key names, keys sorted, absent keys left out, enums
   * in lower case: binding it again gives an equal record. This is what the manifest records and
   * what the spec hash is computed from.
   */
  public Map<String, Object> toTree() {
    return ConfigTree.of(this);
  }
}
