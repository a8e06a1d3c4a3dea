package dev.glmpipe.evaluate;

import java.util.List;
import java.util.Map;

/**
 * What evaluate found and decided for one version, saved as {@code evaluations/<version>.json}.
 * Versions are immutable and evaluation comes after training, so the report lives beside the
 * version rather than in it, and names the SHA-256 of the manifest it evaluated: a report
 * never silently applies to a different version. Export promotes only a version that passed,
 * against the champion that is still the champion.
 *
 * @param task {@code binary}, {@code multiclass} or {@code regression}
 * @param metrics flat holdout metrics; the gate's thresholds name these
 * @param interval bootstrap confidence interval of the headline metric (null when off)
 * @param champion the champion's metrics on the same holdout (null for a first model)
 * @param runId the evaluate run that wrote it (null in reports written before runs had ids)
 */
public record EvaluationReport(
    String model,
    String version,
    String evaluatedAt,
    String runId,
    String manifestSha256,
    String task,
    long holdoutRows,
    Map<String, Double> metrics,
    ConfidenceInterval interval,
    BinaryDetails binary,
    RegressionDetails regression,
    MulticlassDetails multiclass,
    List<Slice> slices,
    ChampionMetrics champion,
    GateDecision gate,
    boolean passed,
    List<String> failures,
    String reportPath) {

  public record ConfidenceInterval(String metric, double estimate, double lower, double upper, double confidence,
      int replicates, long rows) {}

  /** A curve point: ROC is (false positive rate, true positive rate), PR is (recall, precision). */
  public record Point(double x, double y) {}

  public record ConfusionMatrix(long truePositives, long falsePositives, long trueNegatives, long falseNegatives) {}

  /** One score decile (1 = lowest scores): the mean prediction against the observed rate. */
  public record CalibrationBin(int decile, double lower, double upper, long rows, double meanPredicted, double observedRate) {}

  /**
   * One score decile ranked from the top (1 = highest scores): its positive rate over the
   * overall rate (lift) and the share of all positives found down to it (cumulative gain).
   */
  public record LiftBin(int decile, long rows, long positives, double rate, double lift, double cumulativeGain) {}

  /** The binary details: where the operating threshold came from and what it yields. */
  public record BinaryDetails(double threshold, String thresholdMode, ConfusionMatrix confusion, List<Point> roc,
      List<Point> pr, List<CalibrationBin> calibration, List<LiftBin> lift) {}

  public record RegressionDetails(long mapeExcludedRows, Map<String, Double> residualQuantiles) {}

  public record ClassMetrics(double label, long rows, double precision, double recall) {}

  public record MulticlassDetails(List<ClassMetrics> classes) {}

  /** Metrics of the rows whose {@code column} equals {@code value}; {@code tiny} below min_slice_rows. */
  public record Slice(String column, String value, long rows, boolean tiny, Map<String, Double> metrics) {}

  public record ChampionMetrics(String version, String manifestSha256, Map<String, Double> metrics) {}

  /**
   * One rule of the gate: {@code minimum}, {@code maximum} or {@code vs_champion}; for the
   * last, {@code limit} is the worst value allowed (champion's value ∓ δ).
   */
  public record GateCheck(String metric, String rule, double limit, Double value, Double championValue, boolean passed) {}

  public record GateDecision(boolean passed, String championVersion, List<GateCheck> checks, List<String> reasons) {}
}
