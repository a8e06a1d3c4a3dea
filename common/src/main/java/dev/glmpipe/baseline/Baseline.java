package dev.glmpipe.baseline;

import java.util.List;
import java.util.Map;

/**
 * What drift monitoring compares a scored date with, frozen when the version is trained
 * ({@value #FILE} in the version directory, checksummed with it): every monitored input's
 * training counts in fixed bins, the holdout's score counts, and the same counts per training
 * day (the reference chunks that learned bands come from).
 *
 * <p>Counts are in {@link BinnedCounts}' bin order, so a scored date counted with
 * {@link Column#bins()} lines up bin for bin: a numeric column's {@code edges.size() + 1} bins
 * (below the first edge, between edges, at or above the last) then the null bin; a level
 * column's {@code levels} then {@link BinnedCounts#OTHER} then {@link BinnedCounts#NULL}.
 *
 * @param source {@code train} (written with the version) or {@code rebuilt} (built by monitor
 *     from the version's recorded training window, for versions trained before baselines)
 * @param bins the {@code monitor.bins} the numeric columns were cut with
 * @param rows training rows counted
 * @param score the holdout's scores, binned like a numeric input; null without holdout rows
 * @param scoreRows holdout rows scored
 * @param chunks one per training day, oldest first
 */
public record Baseline(String modelVersion, String source, int bins, long rows, List<Column> features,
    Column score, long scoreRows, List<Chunk> chunks) {

  public static final String FILE = "baseline.json";
  public static final String TRAIN = "train";
  public static final String REBUILT = "rebuilt";

  /** The same baseline, for model version {@code id}. */
  public Baseline withVersion(String id) {
    return new Baseline(id, source, bins, rows, features, score, scoreRows, chunks);
  }

  /** The column named {@code name}. */
  public Column feature(String name) {
    return features.stream().filter(f -> f.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("the baseline has no feature " + name));
  }

  /**
   * One monitored column.
   *
   * @param kind numeric, boolean, categorical or date_part (as in {@code profile.json})
   * @param sql the Spark SQL expression over a features partition whose value is binned (the
   *     raw input as a double for numeric columns; the model's level expression otherwise)
   * @param edges numeric only: strictly increasing bin edges, the first at the training
   *     minimum and the last just above the training maximum, so the first and last bins count
   *     values below and above the training range
   * @param levels level columns only: the model's kept levels, most frequent first
   * @param counts training rows per bin, in bin order (see the class comment)
   * @param mean numeric only: mean of the non-null training values
   * @param std numeric only: their population standard deviation
   */
  public record Column(String name, String kind, String sql, List<Double> edges, List<String> levels,
      List<Long> counts, Double mean, Double std) {

    public boolean numeric() {
      return edges != null;
    }

    /** The bins a scored date is counted into, named {@code name}. */
    public BinnedCounts.Bins bins() {
      return numeric()
          ? BinnedCounts.numeric(name, edges.stream().mapToDouble(Double::doubleValue).toArray())
          : BinnedCounts.categorical(name, levels);
    }
  }

  /**
   * One training day's counts.
   *
   * @param counts per feature name, in that feature's bin order
   * @param sums numeric features only: the sum of the day's non-null values (for the mean shift)
   * @param scoreCounts the day's holdout scores in the score's bins; null when the day had none
   */
  public record Chunk(String dt, long rows, Map<String, List<Long>> counts, Map<String, Double> sums, long scoreRows,
      List<Long> scoreCounts) {}
}
