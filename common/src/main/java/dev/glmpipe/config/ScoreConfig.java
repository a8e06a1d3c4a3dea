package dev.glmpipe.config;

import java.util.List;

/**
 * Scoring: columns copied from the input next to the key columns; which engine scores
 * ({@code compiled}: native Spark expressions, checked against MLlib on a sample every run;
 * {@code mllib}: {@code PipelineModel.transform}); how many rows that parity check scores; how the
 * scores table is stored ({@code table_format}); how long a date's replaced run directory stays
 * readable when dates are published through the catalog ({@code score --table} on Parquet).
 */
public record ScoreConfig(
    @ConfigOptional List<String> passThroughColumns,
    @ConfigOptional Engine engine,
    @ConfigOptional Integer parityRows,
    @ConfigOptional TableFormat tableFormat,
    @ConfigOptional Integer replacedRunsGraceMinutes) {

  public enum Engine { COMPILED, MLLIB }

  public ScoreConfig {
    engine = engine == null ? Engine.COMPILED : engine;
    parityRows = parityRows == null ? 1000 : parityRows;
    tableFormat = tableFormat == null ? TableFormat.PARQUET : tableFormat;
    replacedRunsGraceMinutes = replacedRunsGraceMinutes == null ? 60 : replacedRunsGraceMinutes;
  }

  public ScoreConfig(List<String> passThroughColumns, Engine engine, Integer parityRows) {
    this(passThroughColumns, engine, parityRows, null, null);
  }

  public ScoreConfig(List<String> passThroughColumns) {
    this(passThroughColumns, null, null);
  }

  public List<String> passThroughOrEmpty() {
    return passThroughColumns == null ? List.of() : passThroughColumns;
  }
}
