package dev.glmpipe.config;

import java.util.Map;

/**
 * The Iceberg catalog that holds the scores tables when {@code score.table_format} is {@code iceberg},
 * and the monitoring tables when {@code monitor.table_format} is (by default, when the scores' is)
 * ({@code storage.iceberg}). README.md ("Scores on object stores") documents every key.
 *
 * @param catalog the Spark catalog name: {@code spark.sql.catalog.<catalog>} (default {@code glmpipe})
 * @param namespace the namespace (database) of glmpipe's tables (default {@code glmpipe})
 * @param properties the catalog's own settings, each set as {@code spark.sql.catalog.<catalog>.<key>}
 *     unless spark-submit or the cluster's defaults already set it (default: a Hadoop catalog whose
 *     warehouse is {@code iceberg} under the storage root). A {@code warehouse} given as a plain name
 *     is resolved like a table location, against {@code storage.root}.
 * @param maintenance what {@code glmpipe maintain} keeps and compacts
 */
public record IcebergConfig(
    @ConfigOptional String catalog,
    @ConfigOptional String namespace,
    @ConfigOptional Map<String, String> properties,
    @ConfigOptional Maintenance maintenance) {

  public IcebergConfig {
    catalog = catalog == null ? "glmpipe" : catalog;
    namespace = namespace == null ? "glmpipe" : namespace;
    properties = properties == null ? Map.of("type", "hadoop", "warehouse", "iceberg") : Map.copyOf(properties);
    maintenance = maintenance == null ? new Maintenance(null, null, null, null) : maintenance;
  }

  public static IcebergConfig defaults() {
    return new IcebergConfig(null, null, null, null);
  }

  /**
   * @param expireAfterDays snapshots older than this are expired (time travel reaches back this far; default 7)
   * @param retainLast however old, this many newest snapshots stay (default 10)
   * @param targetFileSizeMb small files of a date are rewritten into files of about this size (default 128)
   * @param minInputFiles a date is compacted once it has at least this many files (default 5)
   */
  public record Maintenance(
      @ConfigOptional Integer expireAfterDays,
      @ConfigOptional Integer retainLast,
      @ConfigOptional Integer targetFileSizeMb,
      @ConfigOptional Integer minInputFiles) {
    public Maintenance {
      expireAfterDays = expireAfterDays == null ? 7 : expireAfterDays;
      retainLast = retainLast == null ? 10 : retainLast;
      targetFileSizeMb = targetFileSizeMb == null ? 128 : targetFileSizeMb;
      minInputFiles = minInputFiles == null ? 5 : minInputFiles;
    }
  }
}
