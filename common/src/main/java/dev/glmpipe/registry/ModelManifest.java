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
    String codeVersion) {

  public record DataWindow(String from, String to, List<String> dates, String holdoutColumn, double holdoutFraction) {}

  public record TrainingSummary(int iterations, List<Double> objectiveHistory) {}
}
