package dev.glmpipe.config;

import java.util.List;

/**
 * The declared feature spec: which contract columns feed the model and how each is prepared.
 * It is fitted on the training window and stored inside the model version, so scoring applies
 * exactly the parameters training saw.
 */
public record FeaturesConfig(
    @ConfigOptional List<NumericFeature> numeric,
    @ConfigOptional List<CategoricalFeature> categorical,
    @ConfigOptional @ConfigKey("boolean") List<String> booleanColumns) {

  public enum Impute { MEAN, MEDIAN }

  public enum Scale { NONE, STANDARD }

  /** A numeric column: missing values imputed, then optionally standardized (mean 0, std 1). */
  public record NumericFeature(String column, Impute impute, Scale scale) {}

  /**
   * A categorical column, indexed by frequency and one-hot encoded. Values unseen in training
   * (and nulls) go to an extra slot whose weight is 0, so they add nothing to the score.
   */
  public record CategoricalFeature(String column) {}

  public List<NumericFeature> numericOrEmpty() {
    return numeric == null ? List.of() : numeric;
  }

  public List<CategoricalFeature> categoricalOrEmpty() {
    return categorical == null ? List.of() : categorical;
  }

  public List<String> booleanOrEmpty() {
    return booleanColumns == null ? List.of() : booleanColumns;
  }
}
