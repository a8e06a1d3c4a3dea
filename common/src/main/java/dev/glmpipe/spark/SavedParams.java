package dev.glmpipe.spark;

import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;

/**
 * A saved MLlib stage's metadata (its {@code metadata/part-00000} line) read by MLlib's own
 * parser, which is {@code private[ml]} in Scala: Spark 3.5 to 4.2 keep the same
 * {@code parseMetadata(json, expectedClass)} and {@code getAndSetParams(stage, skipParams)}, and
 * this is the one place that calls them. Setting params as MLlib's readers do (defaults of the
 * Spark that saved the stage included) is what makes a stage read here equal to MLlib's.
 */
public final class SavedParams {
  private final DefaultParamsReader.Metadata metadata;

  private SavedParams(DefaultParamsReader.Metadata metadata) {
    this.metadata = metadata;
  }

  public static SavedParams parse(String metadataJson) {
    return new SavedParams(DefaultParamsReader$.MODULE$.parseMetadata(metadataJson, ""));
  }

  public String className() {
    return metadata.className();
  }

  public String uid() {
    return metadata.uid();
  }

  public String sparkVersion() {
    return metadata.sparkVersion();
  }

  /** Sets the saved params and defaults on {@code stage}, as MLlib's reader does. */
  public void applyTo(Params stage) {
    metadata.getAndSetParams(stage, scala.Option.empty());
  }
}
