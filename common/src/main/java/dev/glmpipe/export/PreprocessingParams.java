package dev.glmpipe.export;

import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.config.FeaturesConfig.NumericFeature;
import dev.glmpipe.features.FeaturePipeline;
import dev.glmpipe.features.FittedPlan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;

/**
 * Every fitted preprocessing parameter of a version, per input column, for the JSON export:
 * what a reimplementation outside Spark needs besides the coefficients.
 */
public final class PreprocessingParams {
  private PreprocessingParams() {}

  public static Map<String, Object> of(PipelineModel model, FeaturesConfig spec) {
    return of(FittedPlan.of(model), spec);
  }

  /** @param plan the version's fitted pipeline (with or without slot names) */
  public static Map<String, Object> of(FittedPlan plan, FeaturesConfig spec) {
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, Double> surrogates = plan.surrogates();
    List<NumericFeature> scaled = FeaturePipeline.scaled(spec);
    FittedPlan.Scaler scaler = scaled.isEmpty() ? null : plan.first(FittedPlan.Scaler.class);
    List<NumericFeature> bucketed = FeaturePipeline.bucketed(spec);
    FittedPlan.Buckets buckets = bucketed.isEmpty() ? null : plan.first(FittedPlan.Buckets.class);
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
        p.put("scale", Map.of("mean", scaler.mean().get(s), "std", scaler.std().get(s)));
      }
      int b = bucketed.indexOf(n);
      if (b >= 0) {
        p.put("bucket_splits", buckets.splits().get(b).stream().map(PreprocessingParams::bound).toList());
      }
      numeric.add(p);
    }
    out.put("numeric", numeric);
    out.put("boolean", spec.booleanOrEmpty());
    List<Map<String, Object>> levels = new ArrayList<>();
    if (!spec.categoricalOrEmpty().isEmpty() || !spec.timestampOrEmpty().isEmpty() || !spec.crossesOrEmpty().isEmpty()) {
      FittedPlan.Indexer indexer = plan.first(FittedPlan.Indexer.class);
      // Level features in vector order: the indexer's columns are in the same order.
      for (int i = 0; i < indexer.labels().size(); i++) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("indexer_column", indexer.inputCols().get(i));
        p.put("levels", indexer.labels().get(i));
        p.put("other_slot", true);
        levels.add(p);
      }
    }
    out.put("levels", levels);
    List<Map<String, Object>> hashed = new ArrayList<>();
    for (FittedPlan.Hasher h : plan.all(FittedPlan.Hasher.class)) {
      hashed.add(Map.of("columns", h.inputCols(), "buckets", h.numFeatures(),
          "hash", "MurmurHash3_x86_32 of \"column=value\", seed 42, non-negative modulo buckets"));
    }
    out.put("hashed", hashed);
    return out;
  }

  private static Object bound(double v) {
    return Double.isInfinite(v) ? (v > 0 ? "inf" : "-inf") : (Object) v;
  }
}
