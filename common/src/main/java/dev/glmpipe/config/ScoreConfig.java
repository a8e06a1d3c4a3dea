package dev.glmpipe.config;

import java.util.List;

/** Scoring output: columns copied from the input next to the key columns. */
public record ScoreConfig(@ConfigOptional List<String> passThroughColumns) {
  public List<String> passThroughOrEmpty() {
    return passThroughColumns == null ? List.of() : passThroughColumns;
  }
}
