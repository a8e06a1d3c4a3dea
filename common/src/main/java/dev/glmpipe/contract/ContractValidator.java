package dev.glmpipe.contract;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_compact;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.config.DatasetConfig.ColumnContract;
import dev.glmpipe.config.DatasetConfig.ColumnType;
import dev.glmpipe.config.DatasetConfig.ContractConfig;
import dev.glmpipe.io.RawInput;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * Checks raw string rows against a {@link ContractConfig}, as pure Column expressions.
 *
 * <p>{@link #validate} adds, per contract column, its typed value (under the column's own name)
 * and keeps the original text under {@code _raw_<name>} (other input columns go into
 * {@link #EXTRA_FIELDS}); {@link #REASONS} lists every failed
 * rule. {@link #valid} and {@link #quarantined} then split the rows; every input row lands in
 * exactly one of them.
 */
public final class ContractValidator {
  public static final String REASONS = "_reasons";
  /** Input columns the contract does not declare, kept for the quarantine. */
  public static final String EXTRA_FIELDS = "extra_fields";
  private static final String RAW_PREFIX = "_raw_";

  private final ContractConfig contract;

  public ContractValidator(ContractConfig contract) {
    this.contract = contract;
  }

  /** Column names present in the input, checked before any row is read. */
  public record ColumnCheck(List<String> extra, List<String> missingOptional) {}

  /**
   * Fails naming every missing non-nullable column; reports extra columns (ignored) and missing
   * nullable ones (read as null).
   */
  public ColumnCheck checkColumns(String[] inputColumns, String where) {
    Set<String> present = Arrays.stream(inputColumns).collect(Collectors.toSet());
    List<String> missingRequired = new ArrayList<>();
    List<String> missingOptional = new ArrayList<>();
    for (ColumnContract c : contract.columns()) {
      if (!present.contains(c.name())) {
        (c.isNullable() ? missingOptional : missingRequired).add(c.name());
      }
    }
    if (!missingRequired.isEmpty()) {
      throw GlmpipeException.dataContract("required column" + (missingRequired.size() > 1 ? "s " : " ")
          + String.join(", ", missingRequired) + " missing from " + where);
    }
    Set<String> declared = contract.columns().stream().map(ColumnContract::name).collect(Collectors.toSet());
    List<String> extra = Arrays.stream(inputColumns)
        .filter(c -> !declared.contains(c) && !c.startsWith("_"))
        .toList();
    return new ColumnCheck(extra, missingOptional);
  }

  public Dataset<Row> validate(Dataset<Row> raw) {
    Set<String> present = Set.of(raw.columns());
    List<Column> out = new ArrayList<>();
    List<Column> checks = new ArrayList<>();
    for (ColumnContract c : contract.columns()) {
      boolean inInput = present.contains(c.name());
      Column text = inInput ? blankAsNull(col(quote(c.name()))) : lit(null).cast(DataTypes.StringType);
      Column typed = inInput ? typed(c.name(), c) : lit(null).cast(sparkType(c.type()));
      out.add(text.as(RAW_PREFIX + c.name()));
      out.add(typed.as(c.name()));
      checks.addAll(rules(text, typed, c));
    }
    // Columns outside the contract travel along as one map: quarantined rows keep every original
    // field, and the CSV reader must parse whole lines (with column pruning it would not notice
    // a short line when only some columns are read).
    List<Column> extras = new ArrayList<>();
    for (String name : raw.columns()) {
      if (!name.startsWith("_") && contract.columns().stream().noneMatch(c -> c.name().equals(name))) {
        extras.add(lit(name));
        extras.add(col(quote(name)));
      }
    }
    out.add(extras.isEmpty()
        ? map().cast("map<string,string>").as(EXTRA_FIELDS)
        : map(extras.toArray(Column[]::new)).as(EXTRA_FIELDS));
    Column corrupt = col(RawInput.CORRUPT_RECORD);
    Column reasons = when(corrupt.isNotNull(), array(lit(ReasonCode.MALFORMED_RECORD.name())))
        .otherwise(array_compact(array(checks.toArray(Column[]::new))));
    out.add(corrupt);
    out.add(col(RawInput.SOURCE_FILE));
    out.add(reasons.as(REASONS));
    return raw.select(out.toArray(Column[]::new));
  }

  /** The rows that passed, with typed contract columns only. */
  public Dataset<Row> valid(Dataset<Row> validated) {
    Column[] typed = contract.columns().stream().map(c -> col(quote(c.name()))).toArray(Column[]::new);
    return validated.where(size(col(REASONS)).equalTo(0)).select(typed);
  }

  /**
   * The rows that failed: their original text, the raw line when unparseable, the input file,
   * every reason, and the first reason's code for quick grouping.
   */
  public Dataset<Row> quarantined(Dataset<Row> validated) {
    List<Column> out = new ArrayList<>();
    for (ColumnContract c : contract.columns()) {
      out.add(col(RAW_PREFIX + c.name()).as(c.name()));
    }
    out.add(col(EXTRA_FIELDS));
    out.add(col(RawInput.CORRUPT_RECORD).as("raw_record"));
    out.add(col(RawInput.SOURCE_FILE).as("source_file"));
    out.add(col(REASONS).as("reasons"));
    out.add(split(element_at(col(REASONS), 1), ":").getItem(0).as("reason"));
    out.add(current_timestamp().as("quarantined_at"));
    return validated.where(size(col(REASONS)).gt(0)).select(out.toArray(Column[]::new));
  }

  /** One aggregation pass: totals and rows per reason code. */
  public ContractReport report(Dataset<Row> validated, ColumnCheck columns) {
    List<Column> aggs = new ArrayList<>();
    aggs.add(sum(when(size(col(REASONS)).equalTo(0), 1L).otherwise(0L)).as("valid"));
    for (ReasonCode code : ReasonCode.values()) {
      aggs.add(sum(expr("CAST(exists(" + REASONS + ", r -> r LIKE '" + code.name() + "%') AS BIGINT)")).as(code.name()));
    }
    Row row = validated.agg(count(lit(1)).as("input"), aggs.toArray(Column[]::new)).first();
    long input = row.getLong(0);
    long valid = row.isNullAt(1) ? 0 : row.getLong(1);
    Map<String, Long> byReason = new LinkedHashMap<>();
    for (ReasonCode code : ReasonCode.values()) {
      long n = row.isNullAt(2 + code.ordinal()) ? 0 : row.getLong(2 + code.ordinal());
      if (n > 0) {
        byReason.put(code.name(), n);
      }
    }
    return new ContractReport(input, valid, input - valid, byReason, columns.extra(), columns.missingOptional());
  }

  public static org.apache.spark.sql.types.DataType sparkType(ColumnType type) {
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

  private static Column blankAsNull(Column text) {
    return when(trim(text).equalTo(""), lit(null).cast(DataTypes.StringType)).otherwise(text);
  }

  /**
   * The typed value, or null when the text does not parse. Written as SQL with {@code try_cast}
   * so it never throws, even under ANSI mode (Spark 4's default).
   */
  static Column typed(String column, ColumnContract c) {
    String text = "trim(" + quote(column) + ")";
    return switch (c.type()) {
      case STRING -> expr("CASE WHEN " + text + " = '' THEN NULL ELSE " + quote(column) + " END");
      case INTEGER -> expr("try_cast(" + text + " AS INT)");
      case LONG -> expr("try_cast(" + text + " AS BIGINT)");
      // NaN and Infinity parse as doubles, but no model can use them.
      case DOUBLE -> expr("CASE WHEN isnan(try_cast(" + text + " AS DOUBLE)) OR abs(try_cast(" + text
          + " AS DOUBLE)) = double('Infinity') THEN NULL ELSE try_cast(" + text + " AS DOUBLE) END");
      case BOOLEAN -> expr("try_cast(" + text + " AS BOOLEAN)");
      case DATE -> c.format() == null ? expr("try_cast(" + text + " AS DATE)")
          : expr("CAST(try_to_timestamp(" + text + ", " + sqlString(c.format()) + ") AS DATE)");
      case TIMESTAMP -> c.format() == null ? expr("try_cast(" + text + " AS TIMESTAMP)")
          : expr("try_to_timestamp(" + text + ", " + sqlString(c.format()) + ")");
    };
  }

  static String quote(String column) {
    return "`" + column.replace("`", "``") + "`";
  }

  private static String sqlString(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  private static List<Column> rules(Column text, Column typed, ColumnContract c) {
    List<Column> rules = new ArrayList<>();
    if (!c.isNullable()) {
      rules.add(when(text.isNull(), lit(ReasonCode.MISSING_REQUIRED.forColumn(c.name()))));
    }
    rules.add(when(text.isNotNull().and(typed.isNull()), lit(ReasonCode.TYPE_MISMATCH.forColumn(c.name()))));
    if (c.min() != null || c.max() != null) {
      Column outside = lit(false);
      if (c.min() != null) {
        outside = outside.or(typed.lt(c.min()));
      }
      if (c.max() != null) {
        outside = outside.or(typed.gt(c.max()));
      }
      rules.add(when(typed.isNotNull().and(outside), lit(ReasonCode.OUT_OF_RANGE.forColumn(c.name()))));
    }
    if (c.allowed() != null) {
      Column allowedValues = typed.cast(DataTypes.StringType).isin(c.allowed().toArray());
      rules.add(when(typed.isNotNull().and(allowedValues.unary_$bang()), lit(ReasonCode.NOT_ALLOWED_VALUE.forColumn(c.name()))));
    }
    if (c.pattern() != null) {
      Column matches = text.rlike("^(?:" + c.pattern() + ")$");
      rules.add(when(text.isNotNull().and(matches.unary_$bang()), lit(ReasonCode.NOT_ALLOWED_VALUE.forColumn(c.name()))));
    }
    return rules;
  }

}
