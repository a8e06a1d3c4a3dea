package dev.glmpipe.contract;

import dev.glmpipe.Sql;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.spark_partition_id;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.config.DatasetConfig.ColumnContract;
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
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * Checks raw rows against a {@link ContractConfig}, as pure Column expressions.
 *
 * <p>{@link #validate} gives each contract column its typed value under its own name, keeps
 * the original text where it differs from the typed value ({@code _raw_<name>}), gathers input
 * columns outside the contract into {@link #EXTRA_FIELDS} (null when there are none), and lists
 * every broken rule in {@link #REASONS}. {@link #valid} and {@link #quarantined} then split the rows: every input row
 * lands in exactly one of them.
 */
public final class ContractValidator {
  /**
   * Every broken rule of a row as one comma-separated string, empty when the row is valid. A
   * string rather than an array: {@code concat_ws} skips the rules that held and compiles to
   * Java code, where building and compacting an array would fall back to interpreted
   * evaluation for every rule of every row.
   */
  public static final String REASONS = "_reasons";
  /** The quarantine table's columns: every reason code, and the first alone. */
  private static final String CODES = "reasons";
  private static final String FIRST_CODE = "reason";
  /** Input columns the contract does not declare, kept for the quarantine. */
  public static final String EXTRA_FIELDS = "extra_fields";
  private static final String RAW_PREFIX = "_raw_";
  private static final String TYPED_PREFIX = "_typed_";
  /** The key hash of {@link #keyHashes}. */
  static final String KEY_HASH = "_key_hash";
  /** In {@link #screen}ed rows: true when every rule but the uniqueness rule holds. */
  private static final String HOLDS = "_holds";

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
    List<String> extra = Arrays.stream(inputColumns).filter(this::isExtra).toList();
    return new ColumnCheck(extra, missingOptional);
  }

  /**
   * Every rule, the uniqueness rule included, as one plan: the second implementation of what
   * {@link SinglePassCheck} does, which tests compare it with. The uniqueness rule shuffles
   * every row by key.
   */
  public Dataset<Row> validate(Dataset<Row> raw) {
    Dataset<Row> checked = check(raw);
    return contract.unique() == null ? checked : markDuplicates(checked);
  }

  boolean hasUniqueKey() {
    return contract.unique() != null;
  }

  /**
   * Columns whose values never repeat among the valid rows of a partition: the uniqueness key,
   * when it is a single column (each column of a composite key may repeat).
   */
  public List<String> neverRepeatingColumns() {
    return hasUniqueKey() && contract.unique().columns().size() == 1 ? contract.unique().columns() : List.of();
  }

  /** Every rule but the uniqueness rule, row by row: no shuffle. */
  public Dataset<Row> check(Dataset<Row> raw) {
    List<ColumnRules> rules = rules(raw);
    Column corrupt = col(RawInput.CORRUPT_RECORD);
    List<Column> checks = ruleChecks(rules);
    // Most rows pass: for them the rules are tested, but no reasons text is built.
    return checked(raw, rules, when(corrupt.isNotNull(), lit(ReasonCode.MALFORMED_RECORD.name()))
        .when(allHold(checks), lit(""))
        .otherwise(concat_ws(",", checks.toArray(Column[]::new))));
  }

  /**
   * {@link #check} for rows already known to pass every rule but the uniqueness rule (the
   * rows a single pass held back): the same columns, without the rules, whose code would
   * otherwise be generated and compiled again for rows that cannot fail them.
   */
  Dataset<Row> checkPassed(Dataset<Row> raw) {
    return checked(raw, rules(raw), lit(""));
  }

  /** {@code raw} in {@link #check}'s shape, with {@code reasons} as {@link #REASONS}. */
  private Dataset<Row> checked(Dataset<Row> raw, List<ColumnRules> rules, Column reasons) {
    Dataset<Row> typed = withTyped(raw, rules);
    List<Column> out = new ArrayList<>();
    for (ColumnRules r : rules) {
      String name = r.name();
      if (r.present() && !r.nativeType()) {
        out.add(Sql.column(name).as(RAW_PREFIX + name));
      }
      out.add(Sql.column(TYPED_PREFIX + name).as(name));
    }
    out.add(extraFields(raw));
    out.add(col(RawInput.CORRUPT_RECORD));
    out.add(col(RawInput.SOURCE_FILE));
    out.add(reasons.as(REASONS));
    return typed.select(out.toArray(Column[]::new));
  }

  /** Every rule of every column, over the typed values: its reason when broken, else null. */
  private static List<Column> ruleChecks(List<ColumnRules> rules) {
    List<Column> checks = new ArrayList<>();
    for (ColumnRules r : rules) {
      checks.addAll(r.reasons(Sql.column(TYPED_PREFIX + r.name())));
    }
    return checks;
  }

  private static Column allHold(List<Column> checks) {
    return checks.stream().map(Column::isNull).reduce(Column::and).orElse(lit(true));
  }

  /**
   * The input's own columns and each contract column's typed value as {@code _typed_<name>}.
   * A step of its own, before the rules: each typed value is then computed once (the optimizer
   * keeps the steps apart because the rules use it several times).
   */
  private static Dataset<Row> withTyped(Dataset<Row> raw, List<ColumnRules> rules) {
    List<Column> columns = new ArrayList<>();
    for (String name : raw.columns()) {
      columns.add(Sql.column(name));
    }
    for (ColumnRules r : rules) {
      columns.add(r.typed().as(TYPED_PREFIX + r.name()));
    }
    return raw.select(columns.toArray(Column[]::new));
  }

  /**
   * The single pass's form of {@link #check}: the input's own columns, the typed values as
   * {@code _typed_<name>}, and whether every rule but the uniqueness rule holds. No reasons
   * text: a failed row leaves the pass as it came in, and {@link #check} names its reasons
   * later, over the gathered rows alone. Building the reasons and the quarantine record in the
   * pass would more than double the code Spark generates for it, past the 8000 bytes of
   * bytecode HotSpot compiles in one method; above that every row runs interpreted.
   */
  Dataset<Row> screen(Dataset<Row> raw) {
    List<ColumnRules> rules = rules(raw);
    Column holds = col(RawInput.CORRUPT_RECORD).isNull().and(allHold(ruleChecks(rules)));
    // spark_partition_id() makes the verdict nondeterministic to the optimizer, which then keeps
    // the filter on it above this projection: pushed below, the filter would repeat every rule
    // and typed value inline, doubling the generated code (the partition id is never negative).
    return withTyped(raw, rules).withColumn(HOLDS, holds.and(spark_partition_id().geq(0)));
  }

  /** The uniqueness rule on {@link #check}ed rows: losing valid rows get {@code DUPLICATE_KEY}. */
  Dataset<Row> markDuplicates(Dataset<Row> checked) {
    return DuplicateKeys.mark(checked, contract.unique(), contentColumns());
  }

  /** {@link #markDuplicates} for rows that include every row of each key they hold (no search for repeats). */
  Dataset<Row> rankDuplicates(Dataset<Row> candidates) {
    return DuplicateKeys.rank(candidates, contract.unique(), contentColumns());
  }

  private List<String> contentColumns() {
    return contract.columns().stream().map(ColumnContract::name).toList();
  }

  /**
   * One 64-bit hash per row with a complete key, computed from the key columns alone (so a
   * columnar input reads nothing else). Equal typed keys give equal hashes; a collision only
   * makes a key a candidate for the uniqueness rule, never decides it.
   */
  Dataset<Row> keyHashes(Dataset<Row> raw) {
    Map<String, ColumnRules> byName = rules(raw).stream().collect(Collectors.toMap(ColumnRules::name, r -> r));
    List<String> keys = contract.unique().columns();
    Column[] typedKeys = keys.stream().map(k -> byName.get(k).typed().as(k)).toArray(Column[]::new);
    Column complete = keys.stream().map(k -> Sql.column(k).isNotNull()).reduce(Column::and).orElseThrow();
    return raw.select(typedKeys).where(complete).select(keyHash("").as(KEY_HASH));
  }

  /** The hash of {@link #keyHashes}, over the typed key columns of {@link #screen}ed rows. */
  Column screenedKeyHash() {
    return keyHash(TYPED_PREFIX);
  }

  private Column keyHash(String prefix) {
    return xxhash64(contract.unique().columns().stream().map(c -> Sql.column(prefix + c)).toArray(Column[]::new));
  }

  private List<ColumnRules> rules(Dataset<Row> raw) {
    Map<String, org.apache.spark.sql.types.DataType> inputTypes = new LinkedHashMap<>();
    for (StructField f : raw.schema().fields()) {
      inputTypes.put(f.name(), f.dataType());
    }
    return contract.columns().stream().map(c -> new ColumnRules(c, inputTypes.get(c.name()))).toList();
  }

  /** The rows that passed, with typed contract columns only. */
  public Dataset<Row> valid(Dataset<Row> validated) {
    Column[] typed = contract.columns().stream().map(c -> Sql.column(c.name())).toArray(Column[]::new);
    return validated.where(isValid()).select(typed);
  }

  /**
   * The rows that failed: their original text, columns outside the contract, the raw line when
   * unparseable, the input file, every reason, and the first reason's code for quick grouping.
   */
  public Dataset<Row> quarantined(Dataset<Row> validated) {
    return quarantineTable(validated.where(not(isValid())).select(quarantineRecord(validated)).select("r.*"));
  }

  /**
   * The valid rows of {@link #screen}ed rows, typed, while every failed row goes to {@code failed}
   * as it came in ({@code inputColumns}), as a side effect of the same pass.
   *
   * <p>With {@code held} set, valid rows where {@code candidate} is true are held back instead:
   * they go to {@code held} as they came in, to be ranked by the uniqueness rule after the pass.
   */
  Dataset<Row> validCollecting(Dataset<Row> screened, String[] inputColumns, RowCollector failed, Column candidate,
      RowCollector held) {
    Column asRead = struct(Arrays.stream(inputColumns).map(Sql::column).toArray(Column[]::new));
    Column holds = col(HOLDS);
    Column keep = when(holds, lit(true)).otherwise(collectInto(failed).apply(asRead));
    if (held != null) {
      keep = when(holds.and(candidate), collectInto(held).apply(asRead)).otherwise(keep);
    }
    Column[] typed = contract.columns().stream().map(c -> Sql.column(TYPED_PREFIX + c.name()).as(c.name()))
        .toArray(Column[]::new);
    return screened.where(keep).select(typed);
  }

  /** A filter that drops every row it sees, keeping it in {@code collector}. */
  private static UserDefinedFunction collectInto(RowCollector collector) {
    return udf((UDF1<Row, Boolean>) row -> {
      collector.add(row);
      return false;
    }, DataTypes.BooleanType).asNondeterministic();
  }

  /** A failed row as one struct: original text, extras, raw line, file, reasons (last). */
  private Column quarantineRecord(Dataset<Row> validated) {
    Set<String> kept = Set.of(validated.columns());
    List<Column> fields = new ArrayList<>();
    for (ColumnContract c : contract.columns()) {
      String raw = RAW_PREFIX + c.name();
      Column original = kept.contains(raw) ? Sql.column(raw) : Sql.column(c.name());
      fields.add(original.cast(DataTypes.StringType).as(c.name()));
    }
    fields.add(col(EXTRA_FIELDS));
    fields.add(col(RawInput.CORRUPT_RECORD).as("raw_record"));
    fields.add(col(RawInput.SOURCE_FILE).as("source_file"));
    fields.add(col(REASONS));
    return struct(fields.toArray(Column[]::new)).as("r");
  }

  private static Dataset<Row> quarantineTable(Dataset<Row> records) {
    return records
        .withColumn(CODES, split(col(REASONS), ","))
        .withColumn(FIRST_CODE, split(col(REASONS), "[:,]").getItem(0))
        .withColumn("quarantined_at", current_timestamp())
        .drop(REASONS);
  }

  /**
   * Counts rows, valid rows and rows per reason code while {@code validated} is consumed by
   * whatever action comes next. Preprocess does not use it (its {@link SinglePassCheck} counts
   * with the rows it gathers, and an observation would cut the pass's generated code in two);
   * it is the independent count the tests compare with.
   */
  public Dataset<Row> observe(Dataset<Row> validated, Observation observation) {
    List<Column> aggs = new ArrayList<>();
    aggs.add(sum(when(isValid(), 1L).otherwise(0L)).as("valid"));
    for (ReasonCode code : ReasonCode.values()) {
      // No code is a substring of another, so this counts each row once per code.
      aggs.add(sum(when(col(REASONS).contains(code.name()), 1L).otherwise(0L)).as(code.name()));
    }
    return validated.observe(observation, count(lit(1)).as("input"), aggs.toArray(Column[]::new));
  }

  /** The report from an {@link #observe}d dataset, once the action that consumed it finished. */
  static ContractReport report(Observation observation, ColumnCheck columns) {
    Map<String, Object> m = values(observation);
    long input = ((Number) m.get("input")).longValue();
    long valid = m.get("valid") == null ? 0 : ((Number) m.get("valid")).longValue();
    Map<String, Long> byReason = new LinkedHashMap<>();
    for (ReasonCode code : ReasonCode.values()) {
      Object n = m.get(code.name());
      if (n != null && ((Number) n).longValue() > 0) {
        byReason.put(code.name(), ((Number) n).longValue());
      }
    }
    return new ContractReport(input, valid, input - valid, byReason, columns.extra(), columns.missingOptional());
  }

  /** An observation's values, once the action that consumed the observed dataset finished. */
  static Map<String, Object> values(Observation observation) {
    try {
      return observation.getAsJava();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the contract counts", e);
    }
  }

  /** Counts in a pass of their own (tests use it to check the observed counts). */
  public ContractReport report(Dataset<Row> validated, ColumnCheck columns) {
    Observation observation = new Observation();
    observe(validated, observation).write().format("noop").mode("overwrite").save();
    return report(observation, columns);
  }

  static Column isValid() {
    return col(REASONS).equalTo("");
  }

  /**
   * Columns outside the contract travel along as one map: quarantined rows keep every original
   * field, and the CSV reader parses whole lines (with column pruning it would not notice a
   * short line when only some columns are read).
   */
  private Column extraFields(Dataset<Row> raw) {
    List<Column> pairs = new ArrayList<>();
    for (String name : raw.columns()) {
      if (isExtra(name)) {
        pairs.add(lit(name));
        pairs.add(Sql.column(name).cast(DataTypes.StringType));
      }
    }
    return (pairs.isEmpty() ? lit(null).cast("map<string,string>") : map(pairs.toArray(Column[]::new))).as(EXTRA_FIELDS);
  }

  private boolean isExtra(String column) {
    return !column.startsWith("_") && contract.columns().stream().noneMatch(c -> c.name().equals(column));
  }
}
