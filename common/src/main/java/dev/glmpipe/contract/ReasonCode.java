package dev.glmpipe.contract;

/**
 * Why a row was quarantined. A row carries every reason it failed, each as
 * {@code CODE:column} (or just {@code CODE} for a record that could not be parsed at all).
 */
public enum ReasonCode {
  /** The line could not be split into the header's fields (wrong field count, bad quoting). */
  MALFORMED_RECORD,
  /** A non-nullable column is empty. */
  MISSING_REQUIRED,
  /** The text does not parse as the column's type. */
  TYPE_MISMATCH,
  /** A number outside the column's min/max. */
  OUT_OF_RANGE,
  /** A value outside the allowed list, or not matching the column's pattern. */
  NOT_ALLOWED_VALUE,
  /** A second row with the same key. */
  DUPLICATE_KEY;

  public String forColumn(String column) {
    return name() + ":" + column;
  }
}
