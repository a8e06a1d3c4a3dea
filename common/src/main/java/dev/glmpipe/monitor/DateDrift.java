package dev.glmpipe.monitor;

import dev.glmpipe.Columns;
import dev.glmpipe.baseline.Baseline;
import dev.glmpipe.baseline.BinnedCounts;
import dev.glmpipe.monitor.DriftBands.Metric;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The drift rows of one scored date and model version: every monitored input and the score
 * against the version's {@link Baseline}, each metric with its verdict from {@link DriftBands},
 * plus the score's distribution and the row count. Pure: the counts come from one
 * {@link BinnedCounts} pass over the features partition and one over the scores partition.
 *
 * <p>Every metric is computed the same way on each training day (chunk) against the whole
 * baseline, and those values are what the learned band learns from.
 */
public final class DateDrift {
  /** One column's counts on the scored date, in the baseline's bin order, and its values' sum (numeric). */
  public record Observed(long[] counts, Double sum) {
    public Observed {
      counts = counts.clone();
    }

    @Override
    public long[] counts() {
      return counts.clone();
    }
  }

  /** Where the rows go: the date, the model and version, when and by which run (null outside a job) they were computed. */
  public record Stamp(String dt, String model, String version, String computedAt, String runId) {
    MonitoringRow row(String kind, String feature, String metric, double value, DriftBands.Verdict v, long rows) {
      return new MonitoringRow(dt, model, version, kind, feature, metric, value, v == null ? null : v.band(),
          v == null ? null : v.warnAt(), v == null ? null : v.alertAt(), v == null ? null : v.statusName(), rows, null,
          computedAt, runId);
    }
  }

  private final Baseline baseline;
  private final DriftBands bands;

  public DateDrift(Baseline baseline, DriftBands bands) {
    this.baseline = baseline;
    this.bands = bands;
  }

  /**
   * @param inputs per baseline feature name, the date's counts (every baseline feature must be there)
   * @param score the date's scores in the baseline's score bins; null when the baseline has no score bins
   */
  public List<MonitoringRow> rows(Stamp stamp, long rows, Map<String, Observed> inputs, Observed score) {
    List<MonitoringRow> out = new ArrayList<>();
    out.add(stamp.row(MonitoringRow.DATA_QUALITY, null, "rows", rows, null, rows));
    for (Baseline.Column column : baseline.features()) {
      Observed observed = inputs.get(column.name());
      if (observed == null) {
        throw new IllegalArgumentException("no counts for baseline feature " + column.name());
      }
      List<long[]> chunks = new ArrayList<>();
      List<Double> chunkSums = new ArrayList<>();
      for (Baseline.Chunk chunk : baseline.chunks()) {
        List<Long> counts = chunk.counts().get(column.name());
        if (counts != null) {
          chunks.add(toArray(counts));
          chunkSums.add(chunk.sums() == null ? null : chunk.sums().get(column.name()));
        }
      }
      out.addAll(columnRows(stamp, MonitoringRow.INPUT_DRIFT, column, observed, chunks, chunkSums));
    }
    if (baseline.score() != null && score != null) {
      List<long[]> chunks = new ArrayList<>();
      for (Baseline.Chunk chunk : baseline.chunks()) {
        if (chunk.scoreCounts() != null) {
          chunks.add(toArray(chunk.scoreCounts()));
        }
      }
      out.addAll(columnRows(stamp, MonitoringRow.SCORE_DRIFT, baseline.score(), score, chunks, List.of()));
      List<String> labels = baseline.score().bins().labels();
      long[] counts = score.counts();
      long total = sum(counts);
      for (int b = 0; b < labels.size(); b++) {
        out.add(stamp.row(MonitoringRow.SCORE_DISTRIBUTION, labels.get(b), "share",
            total == 0 ? 0.0 : (double) counts[b] / total, null, counts[b]));
      }
    }
    return out;
  }

  private List<MonitoringRow> columnRows(Stamp stamp, String kind, Baseline.Column column, Observed observed,
      List<long[]> chunks, List<Double> chunkSums) {
    long[] expected = toArray(column.counts());
    long[] actual = observed.counts();
    if (actual.length != expected.length) {
      throw new IllegalArgumentException(column.name() + ": " + actual.length + " bins counted, the baseline has "
          + expected.length);
    }
    long rows = sum(actual);
    List<MonitoringRow> out = new ArrayList<>();
    if (rows == 0) {
      return out;  // nothing scored for this version on this date: no distribution to compare
    }
    String name = kind.equals(MonitoringRow.SCORE_DRIFT) ? Columns.SCORE : column.name();
    metric(out, stamp, kind, name, Metric.PSI, chunks, c -> DriftMetrics.psi(expected, c), actual, rows);
    metric(out, stamp, kind, name, Metric.JS_DISTANCE, chunks, c -> DriftMetrics.jensenShannonDistance(expected, c), actual, rows);
    metric(out, stamp, kind, name, Metric.LINF, chunks, c -> DriftMetrics.lInfinity(expected, c), actual, rows);
    int nullBin = expected.length - 1;
    double expectedNulls = share(expected, nullBin);
    metric(out, stamp, kind, name, Metric.NULL_RATE_CHANGE, chunks, c -> share(c, nullBin) - expectedNulls, actual, rows);
    if (!column.numeric()) {
      int otherBin = expected.length - 2;
      metric(out, stamp, kind, name, Metric.UNSEEN_SHARE, chunks, c -> share(c, otherBin), actual, rows);
    } else if (column.mean() != null && column.std() != null && column.std() > 0 && observed.sum() != null) {
      double mean = column.mean();
      double std = column.std();
      long nonNull = rows - actual[nullBin];
      if (nonNull > 0) {
        double value = (observed.sum() / nonNull - mean) / std;
        double[] reference = new double[chunks.size()];
        int n = 0;
        for (int i = 0; i < chunks.size() && i < chunkSums.size(); i++) {
          long chunkNonNull = sum(chunks.get(i)) - chunks.get(i)[nullBin];
          if (chunkSums.get(i) != null && chunkNonNull > 0) {
            reference[n++] = (chunkSums.get(i) / chunkNonNull - mean) / std;
          }
        }
        out.add(stamp.row(kind, name, Metric.MEAN_SHIFT_STD, value,
            bands.decide(name, Metric.MEAN_SHIFT_STD, value, abs(java.util.Arrays.copyOf(reference, n))), rows));
      }
    }
    return out;
  }

  private void metric(List<MonitoringRow> out, Stamp stamp, String kind, String feature, String metric,
      List<long[]> chunks, ToDoubleFunction<long[]> compute, long[] actual, long rows) {
    double value = compute.applyAsDouble(actual);
    double[] reference = new double[chunks.size()];
    int n = 0;
    for (long[] chunk : chunks) {
      if (sum(chunk) > 0) {
        reference[n++] = Math.abs(compute.applyAsDouble(chunk));
      }
    }
    out.add(stamp.row(kind, feature, metric, value, bands.decide(feature, metric, value, java.util.Arrays.copyOf(reference, n)), rows));
  }

  private static double[] abs(double[] values) {
    double[] out = values.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.abs(out[i]);
    }
    return out;
  }

  private static double share(long[] counts, int bin) {
    long total = sum(counts);
    return total == 0 ? 0.0 : (double) counts[bin] / total;
  }

  private static long sum(long[] counts) {
    long s = 0;
    for (long c : counts) {
      s += c;
    }
    return s;
  }

  static long[] toArray(List<Long> counts) {
    return counts.stream().mapToLong(Long::longValue).toArray();
  }
}
