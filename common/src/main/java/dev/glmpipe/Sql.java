package dev.glmpipe;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.functions;

/**
 * Spark SQL identifiers and literals, escaped once here: column names come from config and may
 * hold dots, spaces or backticks.
 */
public final class Sql {
  private Sql() {}

  public static String quote(String column) {
    return "`" + column.replace("`", "``") + "`";
  }

  /** A column by its exact name (a dot in it is not a struct field access). */
  public static Column column(String name) {
    return functions.col(quote(name));
  }

  public static String string(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /** A DOUBLE literal: a bare {@code 1.5} would be a DECIMAL in Spark SQL. */
  public static String number(double value) {
    return "(" + value + "D)";
  }

  public static String array(List<String> values) {
    return values.stream().map(Sql::string).collect(Collectors.joining(", ", "array(", ")"));
  }
}
