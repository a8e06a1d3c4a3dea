package dev.glmpipe.config;

/**
 * The whole typed config of one glmpipe deployment: {@code conf/base.yaml} plus an
 * environment overlay plus {@code --set} overrides. Each section is documented in README.md.
 */
public record GlmpipeConfig(
    StorageConfig storage,
    SparkConfig spark,
    DatasetConfig dataset,
    FeaturesConfig features,
    ModelConfig model,
    TrainConfig train,
    EvaluateConfig evaluate,
    ScoreConfig score,
    DatagenConfig datagen,
    @ConfigOptional ExportConfig export,
    @ConfigOptional MonitorConfig monitor,
    @ConfigOptional MetricsConfig metrics,
    @ConfigOptional LoggingConfig logging) {

  public ExportConfig exportOrDefault() {
    return export == null ? ExportConfig.defaults() : export;
  }

  public MonitorConfig monitorOrDefault() {
    return monitor == null ? MonitorConfig.defaults() : monitor;
  }

  /**
   * How the monitoring table is stored: {@code monitor.table_format} when set, else the scores'
   * {@code score.table_format} (one switch moves both tables to Iceberg).
   */
  public TableFormat monitoringFormat() {
    TableFormat own = monitorOrDefault().tableFormat();
    return own != null ? own : score.tableFormat();
  }

  public MetricsConfig metricsOrDefault() {
    return metrics == null ? MetricsConfig.defaults() : metrics;
  }

  public LoggingConfig loggingOrDefault() {
    return logging == null ? LoggingConfig.defaults() : logging;
  }
}
