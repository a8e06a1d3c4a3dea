package dev.glmpipe.export;

import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.config.FeaturesConfig.NumericFeature;
import dev.glmpipe.features.FeaturePipeline;
import dev.glmpipe.features.FittedFeatures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.feature.Bucketizer;
import org.apache.spark.ml.feature.FeatureHasher;
import org.apache.spark.ml.feature.StandardScalerModel;
import org.apache.spark.ml.feature.StringIndexerModel;

/**
 * Every fitted preprocessing parameter of a version, per input column, for the JSON export:
 * what a reimplementation outside Spark needs besides the coefficients.
 */
public final class PreprocessingParams {
  private PreprocessingParams() {}

  public static Map<String, Object> of(PipelineModel model, FeaturesConfig spec) {
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, Double> surrogates = FittedFeatures.surrogates(model);
    List<NumericFeature> scaled = FeaturePipeline.scaled(spec);
    StandardScalerModel scaler = scaled.isEmpty() ? null : stage(model, StandardScalerModel.class);
    List<NumericFeature> bucketed = FeaturePipeline.bucketed(spec);
    double[][] splits = bucketed.isEmpty() ? null : stage(model, Bucketizer.class).getSplitsArray();
    List<Map<String, Object>> numeric = new ArrayList<>();
    for (NumericFeature n : spec.numericOrEmpty()) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("column", n.column());
      p.put("impute", n.impute().name().toLowerCase(java.util.Locale.ROOT));
      p.put("impute_value", n.imputeValue() != null ? n.imputeValue() : surrogates.get(FeaturePipeline.numericCol(n)));
      p.put("clip", n.clip());
      p.put("transform", n.transform().name().toLowerCase(java.util.Locale.ROOT));
      int s = scaled.indexOf(n);
      if (s >= 0) {
        p.put("scale", Map.of("mean", scaler.mean().apply(s), "std", scaler.std().apply(s)));
      }
      int b = bucketed.indexOf(n);
      if (b >= 0) {
        p.put("bucket_splits", Arrays.stream(splits[b]).mapToObj(PreprocessingParams::bound).toList());
      }
      numeric.add(p);
    }
    out.put("numeric", numeric);
    out.put("boolean", spec.booleanOrEmpty());
    List<Map<String, Object>> levels = new ArrayList<>();
    if (!spec.categoricalOrEmpty().isEmpty() || !spec.timestampOrEmpty().isEmpty() || !spec.crossesOrEmpty().isEmpty()) {
      StringIndexerModel indexer = stage(model, StringIndexerModel.class);
      String[] inputs = indexer.getInputCols();
      String[][] labels = indexer.labelsArray();
      // Level features in vector order: the indexer's columns are in the same order.
      for (int i = 0; i < labels.length; i++) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("indexer_column", inputs[i]);
        p.put("levels", List.of(labels[i]));
        p.put("other_slot", true);
        levels.add(p);
      }
    }
    out.put("levels", levels);
    List<Map<String, Object>> hashed = new ArrayList<>();
    for (Transformer t : model.stages()) {
      if (t instanceof FeatureHasher h) {
        hashed.add(Map.of("columns", List.of(h.getInputCols()), "buckets", h.getNumFeatures(),
            "hash", "MurmurHash3_x86_32 of \"column=value\", seed 42, non-negative modulo buckets"));
      }
    }
    out.put("hashed", hashed);
    return out;
  }

  private static Object bound(double v) {
    return Double.isInfinite(v) ? (v > 0 ? "inf" : "-inf") : (Object) v;
  }

  private static <T extends Transformer> T stage(PipelineModel model, Class<T> type) {
    for (Transformer t : model.stages()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    throw new IllegalStateException("fitted pipeline has no " + type.getSimpleName());
  }
}
