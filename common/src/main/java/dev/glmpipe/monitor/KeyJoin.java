package dev.glmpipe.monitor;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.glmpipe.Columns;
import dev.glmpipe.Sql;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Joins by the dataset's key columns, and the versions found in a scores partition. */
final class KeyJoin {
  private KeyJoin() {}

  /**
   * {@code left} joined with {@code right} where every key column is equal, with the key columns
   * once (left's). The right side's keys are renamed for the join and dropped after it: a join on
   * a Scala Seq of names would tie this to a Scala version.
   *
   * @param type a Spark join type: {@code inner}, {@code left_semi}, …
   */
  static Dataset<Row> on(Dataset<Row> left, Dataset<Row> right, List<String> keys, String type) {
    Dataset<Row> renamed = right;
    Column on = lit(true);
    for (int i = 0; i < keys.size(); i++) {
      renamed = renamed.withColumnRenamed(keys.get(i), "__right_key" + i);
      on = on.and(left.col(Sql.quote(keys.get(i))).equalTo(col("__right_key" + i)));
    }
    Dataset<Row> joined = left.join(renamed, on, type);
    for (int i = 0; i < keys.size(); i++) {
      joined = joined.drop("__right_key" + i);
    }
    return joined;
  }

  /** The model versions that scored a scores partition, sorted (a small job over one column). */
  static List<String> versions(Dataset<Row> scores) {
    return scores.select(Columns.MODEL_VERSION).distinct().collectAsList().stream().map(r -> r.getString(0)).sorted()
        .toList();
  }
}
