package dev.glmpipe.config;

/**
 * What export writes besides the JSON coefficients.
 *
 * @param onnx write {@code model.onnx} (fitted preprocessing + linear model as one ONNX-ML
 *     graph), verified against Spark's scores before the version is promoted
 * @param parityRows holdout rows scored by both Spark and ONNX Runtime
 * @param maxAbsDiff the largest score difference accepted
 */
public record ExportConfig(@ConfigOptional Boolean onnx, @ConfigOptional Integer parityRows, @ConfigOptional Double maxAbsDiff) {
  public ExportConfig {
    onnx = onnx == null ? Boolean.TRUE : onnx;
    parityRows = parityRows == null ? 1000 : parityRows;
    maxAbsDiff = maxAbsDiff == null ? 1e-6 : maxAbsDiff;
  }

  public static ExportConfig defaults() {
    return new ExportConfig(null, null, null);
  }
}
