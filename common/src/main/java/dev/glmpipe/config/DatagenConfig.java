package dev.glmpipe.config;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * The sample-data generator: rows per day, seed, the share of deliberately broken rows, and two
 * optional extras for monitoring: drift on purpose from given dates, and a delayed label feed.
 * Both are off when absent, and then the generator's files are exactly what they were without them.
 */
public record DatagenConfig(
    int rowsPerDay,
    long seed,
    double malformedFraction,
    @ConfigOptional List<Drift> drift,
    @ConfigOptional Labels labels) {

  public List<Drift> driftOrEmpty() {
    return drift == null ? List.of() : drift;
  }

  /** What a drift changes from its {@code from} date on. */
  public enum DriftKind {
    /** Adds {@code by} to a numeric input before the label is drawn: inputs move, the model holds. */
    SHIFT,
    /** Draws a categorical input from {@code weights} instead of the default mix. */
    MIX,
    /** Overrides true-model {@code coefficients}: labels move, inputs do not. */
    CONCEPT
  }

  /**
   * One drift, applied to every generated day on or after {@code from}. Which of the other keys
   * it takes depends on {@code kind} (shift: column, by; mix: column, weights; concept:
   * coefficients); {@link ConfigValidator} checks that, and the generator checks the names.
   */
  public record Drift(
      LocalDate from,
      DriftKind kind,
      @ConfigOptional String column,
      @ConfigOptional Double by,
      @ConfigOptional Map<String, Double> weights,
      @ConfigOptional Map<String, Double> coefficients) {}

  /** The label feed: day D's labels land in the labels table's partition D + delay_days. */
  public record Labels(int delayDays) {}
}
