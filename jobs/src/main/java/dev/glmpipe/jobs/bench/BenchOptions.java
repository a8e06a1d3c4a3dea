package dev.glmpipe.jobs.bench;

import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * {@code --rows N --rounds K}, the options every benchmark takes, and the timing helpers they
 * share: each benchmark runs its contenders {@code rounds} times, alternating, and keeps the
 * fastest of each.
 */
final class BenchOptions {
  @Option(names = "--rows", defaultValue = "4000000", description = "Rows to generate (default ${DEFAULT-VALUE}).")
  long rows;

  @Option(names = "--rounds", defaultValue = "2", description = "Timed rounds of each; the fastest counts (default ${DEFAULT-VALUE}).")
  int rounds;

  /** Seconds since {@code startNanos} ({@link System#nanoTime}). */
  static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** The median of {@code values} (the mean of the middle two when their number is even). */
  static double median(java.util.List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  /** Seconds as the round log lines print them. */
  static String fmt(double seconds) {
    return String.format(Locale.ROOT, "%.2f", seconds);
  }
}
