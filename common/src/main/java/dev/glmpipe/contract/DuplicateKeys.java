package dev.glmpipe.contract;

import dev.glmpipe.Sql;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import dev.glmpipe.config.DatasetConfig.Keep;
import dev.glmpipe.config.DatasetConfig.UniqueKey;
import dev.glmpipe.io.RawInput;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * Adds {@code DUPLICATE_KEY} to every valid row that loses to another valid row with the same
 * key. Only keys that occur more than once are ranked, so the full data is shuffled once by key
 * columns alone and the window sort touches just the duplicates.
 */
final class DuplicateKeys {
  private static final String DUPLICATED = "_duplicated";
  private static final String RANK = "_rank";
  private static final String VALID_ROWS = "_valid_rows";

  private DuplicateKeys() {}

  /** @param contentColumns the typed contract columns, hashed to break exact ties */
  static Dataset<Row> mark(Dataset<Row> checked, UniqueKey unique, List<String> contentColumns) {
    Column[] keys = unique.columns().stream().map(c -> Sql.column(c)).toArray(Column[]::new);
    Column valid = ContractValidator.isValid();
    Dataset<Row> duplicatedKeys = checked.where(valid).groupBy(keys).agg(count(lit(1)).as("_n"))
        .where(col("_n").gt(1)).select(keys).withColumn(DUPLICATED, lit(true));
    // Key columns are non-nullable by config validation, so the join sees every valid row.
    // Broadcast: duplicated keys are normally a handful, and without the hint the planner
    // shuffles every row to join them. The cost: a partition in which most keys repeat (a file
    // delivered twice, the case where SinglePassCheck falls back to this) broadcasts all its keys.
    Dataset<Row> flagged = checked.join(broadcast(duplicatedKeys),
        unique.columns().toArray(String[]::new), "left_outer");

    Dataset<Row> single = flagged.where(col(DUPLICATED).isNull()).drop(DUPLICATED);
    return single.unionByName(rank(flagged.where(col(DUPLICATED)).drop(DUPLICATED), unique, contentColumns));
  }

  /**
   * The rule applied to rows that may share keys: {@code DUPLICATE_KEY} for each valid row of a
   * key that more than one valid row has, but the winner (none wins with {@code keep: none}).
   * A key held by one valid row only is left alone, so any superset of the duplicates works.
   */
  static Dataset<Row> rank(Dataset<Row> candidates, UniqueKey unique, List<String> contentColumns) {
    Column[] keys = unique.columns().stream().map(c -> Sql.column(c)).toArray(Column[]::new);
    Column valid = ContractValidator.isValid();
    Dataset<Row> ranked = candidates
        .withColumn(RANK, when(valid, row_number().over(order(keys, unique, contentColumns))))
        .withColumn(VALID_ROWS, count(when(valid, lit(1))).over(Window.partitionBy(keys)));
    Column loses = valid.and(col(VALID_ROWS).gt(1)).and(unique.keep() == Keep.NONE ? lit(true) : col(RANK).gt(1));
    String reason = ReasonCode.DUPLICATE_KEY.forColumn(String.join("+", unique.columns()));
    return ranked.withColumn(ContractValidator.REASONS, when(loses, lit(reason)).otherwise(col(ContractValidator.REASONS)))
        .drop(RANK, VALID_ROWS);
  }

  /** Winner first: by the order column, then input file and content, so reruns agree. */
  private static WindowSpec order(Column[] keys, UniqueKey unique, List<String> contentColumns) {
    List<Column> order = new ArrayList<>();
    order.add(ContractValidator.isValid().desc());  // valid rows rank first
    if (unique.orderBy() != null) {
      Column by = Sql.column(unique.orderBy());
      order.add(unique.keep() == Keep.EARLIEST ? by.asc_nulls_last() : by.desc_nulls_last());
    }
    order.add(col(RawInput.SOURCE_FILE).asc());
    order.add(xxhash64(contentColumns.stream().map(c -> Sql.column(c)).toArray(Column[]::new)).asc());
    return Window.partitionBy(keys).orderBy(order.toArray(Column[]::new));
  }
}
