package dev.glmpipe.config;

import java.util.List;

/**
 * Scoring: columns copied from the input next to the key columns; which engine scores
 * ({@code compiled}: native Spark expressions, checked against MLlib on a sample every run;
 * {@code mllib}: {@code PipelineModel.transform}); how many rows that parity check scores.
 */
public record ScoreConfig(
    @ConfigOptional List<String> passThroughColumns,
    @ConfigOptional Engine engine,
    @ConfigOptional Integer parityRows) {

  public enum Engine { COMPILED, MLLIB }

  public ScoreConfig {
    engine = engine == null ? Engine.COMPILED : engine;
    parityRows = parityRows == null ? 1000 : parityRows;
  }

  public ScoreConfig(List<String> passThroughColumns) {
    this(passThroughColumns, null, null);
  }

  public List<String> passThroughOrEmpty() {
    return passThroughColumns == null ? List.of() : passThroughColumns;
  }
}
