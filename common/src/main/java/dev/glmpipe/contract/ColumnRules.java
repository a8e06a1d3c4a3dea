package dev.glmpipe.contract;

import dev.glmpipe.Sql;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import dev.glmpipe.config.DatasetConfig.ColumnContract;
import dev.glmpipe.config.DatasetConfig.ColumnType;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * One contract column as Column expressions: its typed value, the text a person would see,
 * and the rules it must pass. Typed values never throw, even under ANSI mode (Spark 4's
 * default): a value that does not parse is null and the row gets {@code TYPE_MISMATCH}.
 */
final class ColumnRules {
  private static final String REPLACEMENT = "\uFFFD";

  private final ColumnContract contract;
  private final DataType inputType;

  /** @param inputType the column's type in the input, or null when the input lacks it */
  ColumnRules(ColumnContract contract, DataType inputType) {
    this.contract = contract;
    this.inputType = inputType;
  }

  String name() {
    return contract.name();
  }

  boolean present() {
    return inputType != null;
  }

  /**
   * True when the input already has the contract's type (typed Parquet, say): the value is used
   * as is, with no round trip through text.
   */
  boolean nativeType() {
    return present() && inputType.equals(sparkType(contract.type()));
  }

  /**
   * True when the value is absent: null, or blank text. Native-typed input is never cast to
   * text for this, which keeps typed Parquet close to the speed of a plain copy.
   */
  Column missing() {
    if (!present()) {
      return lit(true);
    }
    Column value = Sql.column(contract.name());
    return inputType.equals(DataTypes.StringType) ? value.isNull().or(trim(value).equalTo("")) : value.isNull();
  }

  /** A string column's text with blank read as null (the value patterns are checked on). */
  private Column text() {
    return when(missing(), lit(null).cast(DataTypes.StringType)).otherwise(Sql.column(contract.name()).cast(DataTypes.StringType));
  }

  Column typed() {
    if (!present()) {
      return lit(null).cast(sparkType(contract.type()));
    }
    if (contract.type() == ColumnType.STRING) {
      // U+FFFD is what a reader puts where the bytes were not valid in the input's encoding
      // (Latin-1 in a UTF-8 file): the value is not the one sent, so it does not pass as text.
      return when(Sql.column(contract.name()).cast(DataTypes.StringType).contains(REPLACEMENT),
          lit(null).cast(DataTypes.StringType)).otherwise(text());
    }
    if (nativeType()) {
      return contract.type() == ColumnType.DOUBLE ? finiteOrNull(Sql.quote(contract.name())) : Sql.column(contract.name());
    }
    String text = inputType.equals(DataTypes.StringType)
        ? "trim(" + Sql.quote(contract.name()) + ")" : "trim(CAST(" + Sql.quote(contract.name()) + " AS STRING))";
    return switch (contract.type()) {
      case STRING -> text();
      // try_cast alone would truncate '12.7' to 12: whole numbers must look like whole numbers.
      case INTEGER -> expr("CASE WHEN " + text + " RLIKE '^[+-]?[0-9]+$' THEN try_cast(" + text + " AS INT) END");
      case LONG -> expr("CASE WHEN " + text + " RLIKE '^[+-]?[0-9]+$' THEN try_cast(" + text + " AS BIGINT) END");
      // NaN and Infinity parse as doubles, but no model can use them.
      case DOUBLE -> finiteOrNull("try_cast(" + text + " AS DOUBLE)");
      // Only true/false/1/0: Spark's cast would also take t, y, yes, n, no and more.
      case BOOLEAN -> expr("CASE WHEN lower(" + text + ") IN ('true', '1') THEN true "
          + "WHEN lower(" + text + ") IN ('false', '0') THEN false END");
      case DATE -> contract.format() == null ? expr("try_cast(" + text + " AS DATE)")
          : expr("CAST(try_to_timestamp(" + text + ", " + Sql.string(contract.format()) + ") AS DATE)");
      case TIMESTAMP -> contract.format() == null ? expr("try_cast(" + text + " AS TIMESTAMP)")
          : expr("try_to_timestamp(" + text + ", " + Sql.string(contract.format()) + ")");
    };
  }

  /** Each rule as a Column that is the reason string when broken and null otherwise. */
  List<Column> reasons(Column typed) {
    String name = contract.name();
    Column missing = missing();
    List<Column> rules = new ArrayList<>();
    if (!contract.isNullable()) {
      rules.add(when(missing, lit(ReasonCode.MISSING_REQUIRED.forColumn(name))));
    }
    rules.add(when(not(missing).and(typed.isNull()), lit(ReasonCode.TYPE_MISMATCH.forColumn(name))));
    if (contract.min() != null || contract.max() != null) {
      Column outside = lit(false);
      if (contract.min() != null) {
        outside = outside.or(typed.lt(contract.min()));
      }
      if (contract.max() != null) {
        outside = outside.or(typed.gt(contract.max()));
      }
      rules.add(when(typed.isNotNull().and(outside), lit(ReasonCode.OUT_OF_RANGE.forColumn(name))));
    }
    if (contract.allowed() != null) {
      // Compared in the column's own type: no per-row number-to-text conversion.
      Object[] values = contract.type() == ColumnType.STRING ? contract.allowed().toArray()
          : contract.allowed().stream().map(v -> Long.parseLong(v.trim())).toArray();
      Column allowed = typed.isin(values);
      rules.add(when(typed.isNotNull().and(not(allowed)), lit(ReasonCode.NOT_ALLOWED_VALUE.forColumn(name))));
    }
    if (contract.pattern() != null) {
      // \z, not $: $ also matches before a line break that ends the value, which would let
      // "C00000001-000001\n" pass as a key that never equals "C00000001-000001".
      Column matches = text().rlike("^(?:" + contract.pattern() + ")\\z");
      rules.add(when(not(missing).and(not(matches)), lit(ReasonCode.NOT_ALLOWED_VALUE.forColumn(name))));
    }
    return rules;
  }

  static DataType sparkType(ColumnType type) {
    return switch (type) {
      case STRING -> DataTypes.StringType;
      case INTEGER -> DataTypes.IntegerType;
      case LONG -> DataTypes.LongType;
      case DOUBLE -> DataTypes.DoubleType;
      case BOOLEAN -> DataTypes.BooleanType;
      case DATE -> DataTypes.DateType;
      case TIMESTAMP -> DataTypes.TimestampType;
    };
  }

  private static Column finiteOrNull(String doubleSql) {
    return expr("CASE WHEN isnan(" + doubleSql + ") OR abs(" + doubleSql + ") = double('Infinity') THEN NULL ELSE "
        + doubleSql + " END");
  }
}
