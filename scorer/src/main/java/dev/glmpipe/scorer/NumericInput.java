package dev.glmpipe.scorer;

/**
 * One numeric feature's value before it enters the vector, as the batch pipeline prepares it:
 * {@code CAST(x AS DOUBLE)}, a {@code constant} for a null, the clip as Spark SQL's
 * {@code CASE WHEN x < lo THEN lo WHEN x > hi THEN hi ELSE x END} (so a NaN becomes {@code hi}:
 * Spark SQL orders NaN above every number), {@code log1p} (null at or below -1), then, for a
 * mean or median imputed column, the fitted value for a null or NaN (MLlib's ImputerModel).
 *
 * @param input the column's index in the record's typed values
 * @param surrogate the fitted imputation value ({@code imputes} only; null if training had none)
 */
record NumericInput(String column, int input, Double constant, boolean clip, double lo, double hi, boolean log1p,
    boolean imputes, Double surrogate) {

  /** The prepared value, or null for none. */
  Double value(Object[] row) {
    Object v = row[input];
    Double x = v == null ? null : ((Number) v).doubleValue();
    if (x == null && constant != null) {
      x = constant;
    }
    if (clip && x != null) {
      if (SqlDoubles.compare(x, lo) < 0) {
        x = lo;
      } else if (SqlDoubles.compare(x, hi) > 0) {
        x = hi;
      }
    }
    if (log1p && x != null) {
      x = SqlDoubles.log1p(x);
    }
    if (imputes && (x == null || x.isNaN())) {
      x = surrogate;
    }
    return x;
  }

  /**
   * The value a VectorAssembler with {@code handleInvalid=error} accepts: the batch scorer fails
   * a row whose value is null or NaN here, so this does too, naming the column.
   */
  double assembled(Object[] row) {
    Double x = value(row);
    if (x == null || x.isNaN()) {
      throw new InvalidInputException(column, (x == null ? "null" : "NaN") + " after the model's preparation (it imputes "
          + "no value for it here); the batch scorer fails such a row too");
    }
    return x;
  }
}
