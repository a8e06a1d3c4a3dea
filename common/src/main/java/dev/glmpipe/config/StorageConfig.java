package dev.glmpipe.config;

/**
 * Where everything lives: one root URI ({@code file://}, {@code s3a://}, {@code gs://}, or a
 * path relative to the working directory) and each table's location under it.
 */
public record StorageConfig(String root, TablesConfig tables, @ConfigOptional IcebergConfig iceberg) {
  public StorageConfig {
    iceberg = iceberg == null ? IcebergConfig.defaults() : iceberg;
  }

  public StorageConfig(String root, TablesConfig tables) {
    this(root, tables, null);
  }

  /**
   * Table locations. A plain name is relative to the root; a value with a scheme
   * ({@code s3a://…}), an absolute path, or one starting with {@code ./} or {@code ../} stands
   * on its own (for example raw input that another team owns). {@code labels} is the delayed
   * label feed: datagen writes it, monitoring reads it. {@code monitoring} holds one monitoring
   * table per model; {@code reports} the monitoring reports (one HTML file per model).
   */
  public record TablesConfig(
      String raw, String features, String quarantine, String models, String scores, String runs, String labels,
      @ConfigOptional String monitoring, @ConfigOptional String reports) {
    public TablesConfig {
      monitoring = monitoring == null ? "monitoring" : monitoring;
      reports = reports == null ? "reports" : reports;
    }

    public TablesConfig(String raw, String features, String quarantine, String models, String scores, String runs,
        String labels) {
      this(raw, features, quarantine, models, scores, runs, labels, null, null);
    }
  }
}
