package dev.glmpipe.features;

import java.util.List;
import java.util.stream.Collectors;

/** Spark SQL literals and identifiers for the statements the feature stages are made of. */
final class Sql {
  private Sql() {}

  static String quote(String column) {
    return "`" + column.replace("`", "``") + "`";
  }

  static String string(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /** A DOUBLE literal: a bare {@code 1.5} would be a DECIMAL in Spark SQL. */
  static String number(double value) {
    return "(" + value + "D)";
  }

  static String array(List<String> values) {
    return values.stream().map(Sql::string).collect(Collectors.joining(", ", "array(", ")"));
  }
}
