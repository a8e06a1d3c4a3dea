package dev.glmpipe.io;

import dev.glmpipe.Sql;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Registers the scores table in the session catalog (a Hive metastore, or the Glue catalog on
 * EMR) so analysts can query it by name: the table is created over the scores directory once,
 * and each scored date added as a partition pointing at its directory. Its location never
 * changes, so re-adding a rescored date is a no-op and the swap is what replaces its rows.
 */
public final class ScoresCatalog {
  private ScoresCatalog() {}

  public static void addPartition(SparkSession spark, String table, PartitionedTable scores, StructType schema, LocalDate dt) {
    String[] parts = table.split("\\.");
    if (parts.length == 2) {
      spark.sql("CREATE DATABASE IF NOT EXISTS " + Sql.quote(parts[0]));
    }
    String name = quoted(table);
    spark.sql("CREATE TABLE IF NOT EXISTS " + name + " (" + schema.toDDL() + ", " + Sql.quote(PartitionedTable.DT)
        + " STRING) USING parquet PARTITIONED BY (" + Sql.quote(PartitionedTable.DT) + ") LOCATION "
        + Sql.string(scores.root().toString()));
    spark.sql("ALTER TABLE " + name + " ADD IF NOT EXISTS PARTITION (" + Sql.quote(PartitionedTable.DT) + " = "
        + Sql.string(dt.toString()) + ") LOCATION " + Sql.string(scores.partition(dt).toString()));
    spark.sql("REFRESH TABLE " + name);
  }

  /** How many partitions the catalog lists for {@code table}. */
  public static long partitions(SparkSession spark, String table) {
    return spark.sql("SHOW PARTITIONS " + quoted(table)).count();
  }

  /** {@code db.name} as quoted identifiers. */
  private static String quoted(String table) {
    return Arrays.stream(table.split("\\.")).map(Sql::quote).collect(Collectors.joining("."));
  }
}
