package dev.glmpipe;

/**
 * The column names that more than one room reads or writes: the model's outputs (as MLlib and
 * the compiled scorer both name them), the scores table's columns, and the training label.
 */
public final class Columns {
  /**
   * The scores table's score: P(class 1) of a two-class logistic model, the predicted class's
   * probability of a multinomial one, the predicted value of a linear one. The ONNX export's
   * output has the same name.
   */
  public static final String SCORE = "score";
  /** The predicted class index or value: MLlib's prediction column and the scores table's. */
  public static final String PREDICTION = "prediction";
  /** A fitted logistic model's probability vector, as MLlib writes it. */
  public static final String PROBABILITY = "probability";
  /** A fitted logistic model's raw margins, as MLlib writes them. */
  public static final String RAW_PREDICTION = "rawPrediction";
  /** Multinomial models only: every class's probability, by class index (scores table). */
  public static final String PROBABILITIES = "probabilities";
  /** The label as a double, the type MLlib estimators and evaluators expect. */
  public static final String LABEL = "__label";
  /** Which model and version scored a row, and when (scores table). */
  public static final String MODEL_NAME = "model_name";
  public static final String MODEL_VERSION = "model_version";
  public static final String SCORED_AT = "scored_at";

  private Columns() {}
}
