package dev.glmpipe.io;

import dev.glmpipe.Sql;
import dev.glmpipe.config.IcebergConfig;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Iceberg catalog of {@code storage.iceberg} in the session: {@code spark.sql.catalog.<name>}
 * is Iceberg's {@code SparkCatalog} with the configured properties, each set only where
 * spark-submit or the cluster's defaults did not (a platform's own catalog settings win), before
 * the catalog is first used. Tables are named {@code <catalog>.<namespace>.<table>}.
 */
public final class IcebergCatalog {
  private static final Logger LOG = LoggerFactory.getLogger(IcebergCatalog.class);
  static final String SPARK_CATALOG = "org.apache.iceberg.spark.SparkCatalog";

  private final SparkSession spark;
  private final IcebergConfig config;

  private IcebergCatalog(SparkSession spark, IcebergConfig config) {
    this.spark = spark;
    this.config = config;
  }

  /** Registers the catalog in the session (where not already configured) and its namespace. */
  public static IcebergCatalog open(SparkSession spark, IcebergConfig config, TableLayout layout) {
    String prefix = "spark.sql.catalog." + config.catalog();
    setIfAbsent(spark, prefix, SPARK_CATALOG);
    for (Map.Entry<String, String> e : config.properties().entrySet()) {
      String value = e.getKey().equals("warehouse") ? layout.location(e.getValue()).toString() : e.getValue();
      setIfAbsent(spark, prefix + "." + e.getKey(), value);
    }
    IcebergCatalog catalog = new IcebergCatalog(spark, config);
    spark.sql("CREATE NAMESPACE IF NOT EXISTS " + Sql.quote(config.catalog()) + "." + Sql.quote(config.namespace()));
    return catalog;
  }

  private static void setIfAbsent(SparkSession spark, String key, String value) {
    if (!spark.conf().contains(key)) {
      spark.conf().set(key, value);
    } else if (!spark.conf().get(key).equals(value)) {
      LOG.info("{} is set by the cluster or spark-submit; keeping it", key);
    }
  }

  /** The table {@code name} of glmpipe's namespace. */
  public IcebergTable table(String name) {
    return new IcebergTable(spark, config.catalog() + "." + config.namespace() + "." + name);
  }

  /** A table given as {@code db.name} (or {@code name}, in glmpipe's namespace) in this catalog. */
  public IcebergTable named(String dbTable) {
    return dbTable.contains(".") ? new IcebergTable(spark, config.catalog() + "." + dbTable) : table(dbTable);
  }

  public IcebergConfig config() {
    return config;
  }

  /** The Iceberg table names of a model's tables. */
  public static String scoresName(String model) {
    return "scores_" + model;
  }

  public static String monitoringName(String model) {
    return "monitoring_" + model;
  }
}
