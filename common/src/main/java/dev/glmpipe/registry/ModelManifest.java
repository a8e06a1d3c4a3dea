package dev.glmpipe.registry;

import dev.glmpipe.io.PartitionContract;
import dev.glmpipe.train.CoefficientStatistic;
import dev.glmpipe.train.ConvergenceCheck;
import dev.glmpipe.train.HoldoutSplit;
import dev.glmpipe.train.Tuning;
import dev.glmpipe.train.Weight;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json} of a model version: enough to know what the model is, what data made
 * it, and how to reproduce or audit it.
 *
 * <p>{@code featureSpec} is the spec as config (it binds back to {@code FeaturesConfig}) and
 * {@code featureSpecHash} its SHA-256: two versions with the same hash prepared features the
 * same way. {@code profile} names the file in the version directory holding the baseline profile
 * of every feature on the training rows.
 *
 * <p>{@code inputSchema} is the type of every column the model reads, as training saw it;
 * {@code score} refuses a features partition that no longer has one of them, or has it with
 * another type. {@code inputContracts} names each data contract the training window's
 * partitions were checked against (its SHA-256, as recorded with each partition) and the dates
 * checked against it; a null hash stands for partitions written before contracts were
 * recorded, and the whole field is absent from versions trained before that.
 * {@code files} maps each other file of the version (relative path) to its SHA-256; the
 * registry fills it in and writes the manifest last, so a version whose manifest is there is
 * complete, and {@code verify} can tell if any byte changed since. Metrics and the gate
 * decision come later than the version, which never changes: they live in
 * {@code evaluations/<version>.json}, which records the SHA-256 of this manifest.
 *
 * <p>{@code runId} is the train run that created the version (null in versions made before runs
 * had ids, or outside a job); like every other field it is covered by the manifest's SHA-256
 * that an alias pins.
 */
public record ModelManifest(
    String name,
    String version,
    String createdAt,
    String runId,
    String modelType,
    String label,
    List<String> keyColumns,
    DataWindow dataWindow,
    Map<String, Long> rowCounts,
    Map<String, Object> params,
    List<String> inputColumns,
    List<String> features,
    Map<String, Object> featureSpec,
    String featureSpecHash,
    String profile,
    TrainingSummary training,
    String sparkVersion,
    String codeVersion,
    List<SchemaField> inputSchema,
    Map<String, String> files,
    List<PartitionContract.Use> inputContracts) {

  /** A manifest without recorded contracts (versions trained before they were recorded). */
  public ModelManifest(String name, String version, String createdAt, String runId, String modelType, String label,
      List<String> keyColumns, DataWindow dataWindow, Map<String, Long> rowCounts, Map<String, Object> params,
      List<String> inputColumns, List<String> features, Map<String, Object> featureSpec, String featureSpecHash,
      String profile, TrainingSummary training, String sparkVersion, String codeVersion, List<SchemaField> inputSchema,
      Map<String, String> files) {
    this(name, version, createdAt, runId, modelType, label, keyColumns, dataWindow, rowCounts, params, inputColumns,
        features, featureSpec, featureSpecHash, profile, training, sparkVersion, codeVersion, inputSchema, files, null);
  }

  /**
   * @param holdoutBy {@code hash} (holdoutColumn, holdoutFraction) or {@code time}
   *     (holdoutDates: the newest dates of the window); absent in versions made before time
   *     splits, which were all hash splits
   */
  public record DataWindow(String from, String to, List<String> dates, String holdoutColumn, double holdoutFraction,
      String holdoutBy, List<String> holdoutDates) {
    public DataWindow(String from, String to, List<String> dates, String holdoutColumn, double holdoutFraction) {
      this(from, to, dates, holdoutColumn, holdoutFraction, "hash", null);
    }

    /** The train/holdout split this window was trained with. */
    public HoldoutSplit split() {
      return HoldoutSplit.recorded(holdoutBy, holdoutColumn, holdoutFraction, holdoutDates);
    }

    public List<java.time.LocalDate> localDates() {
      return dates.stream().map(java.time.LocalDate::parse).toList();
    }
  }

  /** One input column: name, Spark SQL type ({@code DataType.simpleString}), nullability. */
  public record SchemaField(String name, String type, boolean nullable) {}

  /** The same manifest with the checksums of the version's files. */
  public ModelManifest withFiles(Map<String, String> checksums) {
    return new ModelManifest(name, version, createdAt, runId, modelType, label, keyColumns, dataWindow, rowCounts, params,
        inputColumns, features, featureSpec, featureSpecHash, profile, training, sparkVersion, codeVersion,
        inputSchema, checksums, inputContracts);
  }

  /**
   * What the solver did and what came out. Absent parts are left out of the JSON.
   *
   * @param solver {@code l-bfgs}, {@code owl-qn} (with an L1 part), {@code normal} or {@code sgd}
   * @param convergence the convergence check and what the job decided
   * @param coefficients every weight with its feature name, largest |value| first
   * @param coefficientStatistics standard errors, t and p-values (normal equation only)
   * @param classWeights the weight each label value got (class_weight only)
   * @param tuning the grid, every candidate's metric and the winner (train.tuning only)
   */
  @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
  public record TrainingSummary(int iterations, List<Double> objectiveHistory, String solver, ConvergenceCheck.Decision convergence,
      Double intercept, List<Intercept> intercepts, List<Weight> coefficients,
      List<CoefficientStatistic> coefficientStatistics, Map<String, Double> classWeights, Tuning tuning) {
    public TrainingSummary(int iterations, List<Double> objectiveHistory) {
      this(iterations, objectiveHistory, null, null, null, null, null, null, null, null);
    }
  }

  /** One class's intercept of a multinomial model. */
  public record Intercept(int outcome, double value) {}
}
