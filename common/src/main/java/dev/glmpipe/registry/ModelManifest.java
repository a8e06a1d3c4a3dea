package dev.glmpipe.registry;

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
 * <p>{@code inputSchema} is the type of every column the model reads, as training saw it.
 * {@code files} maps each other file of the version (relative path) to its SHA-256; the
 * registry fills it in and writes the manifest last, so a version whose manifest is there is
 * complete, and {@code verify} can tell if any byte changed since. Metrics and the gate
 * decision come later than the version, which never changes: they live in
 * {@code evaluations/<version>.json}, which records the SHA-256 of this manifest.
 */
public record ModelManifest(
    String name,
    String version,
    String createdAt,
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
    Map<String, String> files) {

  public record DataWindow(String from, String to, List<String> dates, String holdoutColumn, double holdoutFraction) {}

  /** One input column: name, Spark SQL type ({@code DataType.simpleString}), nullability. */
  public record SchemaField(String name, String type, boolean nullable) {}

  /** The same manifest with the checksums of the version's files. */
  public ModelManifest withFiles(Map<String, String> checksums) {
    return new ModelManifest(name, version, createdAt, modelType, label, keyColumns, dataWindow, rowCounts, params,
        inputColumns, features, featureSpec, featureSpecHash, profile, training, sparkVersion, codeVersion,
        inputSchema, checksums);
  }

  public record TrainingSummary(int iterations, List<Double> objectiveHistory) {}
}
