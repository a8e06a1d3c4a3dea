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
 * what a reimplementation outside Spark needs besides the coefficients (the scorer module's
 * {@code ExportedModel} reads it). Level features say how their string is made (kind, source
 * columns, a date part's part and time zone) and name their extra slot; hashed columns give
 * the hash's seed.
 */
public final class PreprocessingParams {
  /** MLlib FeatureHasher's MurmurHash3 seed (that of its HashingTF). */
  public static final int HASH_SEED = 42;

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
      List<FeaturePipeline.LevelDescription> described = FeaturePipeline.levelDescriptions(spec);
      if (described.size() != indexer.labels().size()) {
        throw new IllegalArgumentException("the feature spec has " + described.size() + " level features, the fitted indexer "
            + indexer.labels().size() + ": use the feature_spec in the version's manifest.json");
      }
      // Level features in vector order: the indexer's columns are in the same order.
      for (int i = 0; i < indexer.labels().size(); i++) {
        FeaturePipeline.LevelDescription d = described.get(i);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("name", d.name());
        p.put("kind", d.kind());
        p.put("columns", d.columns());
        if (d.part() != null) {
          p.put("part", d.part());
          p.put("time_zone", d.timeZone());
        }
        p.put("indexer_column", indexer.inputCols().get(i));
        p.put("levels", indexer.labels().get(i));
        p.put("other_slot", true);
        p.put("other_level", d.otherLevel());
        levels.add(p);
      }
    }
    out.put("levels", levels);
    List<Map<String, Object>> hashed = new ArrayList<>();
    for (FittedPlan.Hasher h : plan.all(FittedPlan.Hasher.class)) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("columns", h.inputCols());
      p.put("buckets", h.numFeatures());
      p.put("seed", HASH_SEED);
      p.put("hash", "MurmurHash3_x86_32 of the UTF-8 bytes of \"column=value\", seed 42, non-negative modulo buckets");
      hashed.add(p);
    }
    out.put("hashed", hashed);
    return out;
  }

  private static Object bound(double v) {
    return Double.isInfinite(v) ? (v > 0 ? "inf" : "-inf") : (Object) v;
  }
}
