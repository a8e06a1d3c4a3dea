package dev.glmpipe.monitor;

import dev.glmpipe.config.MonitorConfig;
import dev.glmpipe.monitor.DriftMetrics.Bands;
import dev.glmpipe.monitor.DriftMetrics.Status;
import java.util.Locale;
import java.util.Map;

/**
 * Decides each drift metric's status from two bands: a fixed one (a default per metric,
 * replaced by {@code monitor.bands.<metric>} or {@code monitor.features.<feature>.<metric>}) and
 * one learned from the training days (the mean plus {@code monitor.learned_k} standard
 * deviations of the same metric, each training day against the whole baseline).
 *
 * <p>A metric warns (alerts) only when it reaches the warn (alert) threshold of BOTH bands: it
 * must be large in absolute terms, and larger than the training days themselves ever moved. The
 * fixed band alone would alert on a feature that naturally moves from day to day; the learned
 * band alone would alert on changes too small to matter once days are large. The band named
 * in the result is the one whose threshold is the higher, so the one that decided.
 */
public final class DriftBands {
  /** Fewer training days than this learn no band: the fixed band decides alone. */
  static final int MIN_CHUNKS = 3;

  /**
   * Default fixed bands. PSI: the usual 0.1 / 0.25 reading. Jensen-Shannon distance (nats):
   * about what PSI 0.1 / 0.25 gives for small shifts (JS divergence ≈ PSI / 8). L-infinity:
   * one bin's share moved by 10 / 20 points. Mean shift: a quarter / half a training standard
   * deviation. Null rate change and unseen share: 5 / 10 points of the rows. AUC drop: 0.03 /
   * 0.05 below the holdout AUC evaluate measured.
   */
  static final Map<String, Bands> DEFAULTS = Map.of(
      Metric.PSI, Bands.PSI_DEFAULT,
      Metric.JS_DISTANCE, new Bands(0.11, 0.18),
      Metric.LINF, new Bands(0.1, 0.2),
      Metric.MEAN_SHIFT_STD, new Bands(0.25, 0.5),
      Metric.NULL_RATE_CHANGE, new Bands(0.05, 0.1),
      Metric.UNSEEN_SHARE, new Bands(0.05, 0.1),
      Metric.AUC_ROC_DROP, new Bands(0.03, 0.05));

  /** The drift metrics' names, as they appear in the monitoring table. */
  public static final class Metric {
    public static final String PSI = "psi";
    public static final String JS_DISTANCE = "js_distance";
    public static final String LINF = "linf";
    public static final String MEAN_SHIFT_STD = "mean_shift_std";
    public static final String NULL_RATE_CHANGE = "null_rate_change";
    public static final String UNSEEN_SHARE = "unseen_share";
    /** The holdout AUC at evaluation minus the date's estimated or realized AUC. */
    public static final String AUC_ROC_DROP = "auc_roc_drop";

    private Metric() {}
  }

  /** A metric's status, the band that decided it and the thresholds that applied. */
  public record Verdict(Status status, String band, double warnAt, double alertAt) {
    public String statusName() {
      return status.name().toLowerCase(Locale.ROOT);
    }
  }

  private final MonitorConfig config;

  public DriftBands(MonitorConfig config) {
    this.config = config;
  }

  /** The fixed band of {@code metric} for {@code feature}: per feature, else per metric, else the default. */
  public Bands fixed(String feature, String metric) {
    Map<String, MonitorConfig.Band> own = config.features().get(feature);
    MonitorConfig.Band band = own == null ? null : own.get(metric);
    if (band == null) {
      band = config.bands().get(metric);
    }
    if (band != null) {
      return new Bands(band.warn(), band.alert());
    }
    Bands fallback = DEFAULTS.get(metric);
    if (fallback == null) {
      throw new IllegalArgumentException("no bands for metric " + metric);
    }
    return fallback;
  }

  /**
   * The verdict on {@code value} (compared by magnitude: a mean moving down drifts as much as
   * one moving up), given the metric's values on the training days ({@code reference}, empty
   * or short when there were too few days to learn from).
   */
  public Verdict decide(String feature, String metric, double value, double[] reference) {
    Bands fixed = fixed(feature, metric);
    Bands learned = reference.length >= MIN_CHUNKS ? Bands.learned(reference, config.learnedK()) : null;
    double size = Math.abs(value);
    if (learned == null) {
      return new Verdict(fixed.status(size), "fixed", fixed.warn(), fixed.alert());
    }
    double warnAt = Math.max(fixed.warn(), learned.warn());
    double alertAt = Math.max(fixed.alert(), learned.alert());
    Status status = size >= alertAt ? Status.ALERT : size >= warnAt ? Status.WARN : Status.OK;
    // The band that decided: at the level reached (the warn level for an OK value), the higher threshold.
    boolean learnedDecides = status == Status.ALERT ? learned.alert() > fixed.alert() : learned.warn() > fixed.warn();
    return new Verdict(status, learnedDecides ? "learned" : "fixed", warnAt, alertAt);
  }
}
