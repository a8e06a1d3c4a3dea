package dev.glmpipe.jobs;

import dev.glmpipe.io.PartitionedTable;
import java.time.LocalDate;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Registers the scores table in the session catalog (a Hive metastore, or the Glue catalog on
 * EMR) so analysts can query it by name: the table is created over the scores directory once,
 * and each scored date added as a partition pointing at its directory. Its location never
 * changes, so re-adding a rescored date is a no-op and the swap is what replaces its rows.
 */
final class ScoresCatalog {
  private ScoresCatalog() {}

  static void addPartition(SparkSession spark, String table, PartitionedTable scores, StructType schema, LocalDate dt) {
    String[] parts = table.split("\\.");
    if (parts.length == 2) {
      spark.sql("CREATE DATABASE IF NOT EXISTS `" + parts[0] + "`");
    }
    String name = java.util.Arrays.stream(parts).map(p -> "`" + p + "`").reduce((a, b) -> a + "." + b).orElseThrow();
    spark.sql("CREATE TABLE IF NOT EXISTS " + name + " (" + schema.toDDL() + ", `dt` STRING) USING parquet"
        + " PARTITIONED BY (`dt`) LOCATION '" + escape(scores.root().toString()) + "'");
    spark.sql("ALTER TABLE " + name + " ADD IF NOT EXISTS PARTITION (`dt` = '" + dt + "') LOCATION '"
        + escape(scores.partition(dt).toString()) + "'");
    spark.sql("REFRESH TABLE " + name);
  }

  /** How many partitions the catalog lists for {@code table}. */
  static long partitions(SparkSession spark, String table) {
    String name = java.util.Arrays.stream(table.split("\\.")).map(p -> "`" + p + "`").reduce((a, b) -> a + "." + b).orElseThrow();
    return spark.sql("SHOW PARTITIONS " + name).count();
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("'", "\\'");
  }
}
