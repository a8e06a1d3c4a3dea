package dev.glmpipe.config;

/**
 * How the scores table ({@code score.table_format}) and the monitoring table
 * ({@code monitor.table_format}, by default the scores' format) are stored: {@code parquet}, a
 * directory of {@code dt=} partitions (each date swapped in whole, or with {@code score --table}
 * published through the catalog), or {@code iceberg}, an Apache Iceberg table in the catalog of
 * {@code storage.iceberg}, each date replaced by one atomic commit.
 */
public enum TableFormat { PARQUET, ICEBERG }
