package dev.glmpipe;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;

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

  /**
   * The column {@code name} as {@code type}, null where its value does not convert, whatever
   * {@code spark.sql.ansi.enabled} says: under ANSI mode (Spark 4's default) a plain cast throws
   * on a bad value and fails the job. For data glmpipe does not control (a label feed).
   */
  public static Column tryCast(String name, DataType type) {
    return functions.expr("try_cast(" + quote(name) + " AS " + type.sql() + ")");
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
