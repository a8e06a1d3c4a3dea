package dev.glmpipe.features;

import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.config.FeaturesConfig.HashedFeature;
import dev.glmpipe.config.FeaturesConfig.NumericFeature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.feature.Bucketizer;
import org.apache.spark.ml.feature.FeatureHasher;
import org.apache.spark.ml.feature.ImputerModel;
import org.apache.spark.ml.feature.StandardScalerModel;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Row;

/**
 * Names and scaling of each slot of a fitted {@link FeaturePipeline} vector, read back from the
 * fitted stages. A slot's model value is {@code (x - shift) / scale} of its input value
 * {@code x}, which lets coefficients be reported in the units of the input columns.
 *
 * <p>Slot names: {@code monthly_charges}, {@code log1p(support_calls)}, {@code autopay},
 * {@code tenure_months_bucket=[12.0,24.0)}, {@code plan=premium}, {@code plan=__other__},
 * {@code last_login_at.day_of_week=Mon}, {@code last_login_at.hour=__missing__},
 * {@code plan×region=premium×west}, {@code hash(device)[17]}.
 */
public final class FittedFeatures {
  /** One vector slot and the input column (or cross) it comes from. */
  public record Slot(String name, String sourceColumn, double shift, double scale) {}

  /** The slot of a categorical's or cross's rare, unseen and null values. */
  public static final String OTHER = LevelFeature.OTHER;
  /** The slot of a date part whose date or timestamp is null. */
  public static final String MISSING = LevelFeature.MISSING;

  private FittedFeatures() {}

  /**
   * @param spec the spec {@code model} was fitted with (the version's manifest records it)
   * @throws IllegalArgumentException if {@code model} was not fitted from {@code spec}
   */
  public static List<Slot> slots(PipelineModel model, FeaturesConfig spec) {
    requireSameLayout(model, spec);
    List<Slot> slots = new ArrayList<>();
    List<NumericFeature> scaled = FeaturePipeline.scaled(spec);
    if (!scaled.isEmpty()) {
      StandardScalerModel scaler = stage(model, StandardScalerModel.class);
      double[] mean = scaler.mean().toArray();
      double[] std = scaler.std().toArray();
      for (int i = 0; i < scaled.size(); i++) {
        // StandardScaler maps a constant column (std 0) to 0.0; scale 0 would divide by zero.
        double s = std[i] == 0.0 ? Double.POSITIVE_INFINITY : std[i];
        slots.add(new Slot(FeaturePipeline.numericName(scaled.get(i)), scaled.get(i).column(), mean[i], s));
      }
    }
    FeaturePipeline.plain(spec).forEach(n -> slots.add(new Slot(FeaturePipeline.numericName(n), n.column(), 0.0, 1.0)));
    spec.booleanOrEmpty().forEach(c -> slots.add(new Slot(c, c, 0.0, 1.0)));
    List<NumericFeature> bucketed = FeaturePipeline.bucketed(spec);
    if (!bucketed.isEmpty()) {
      double[][] splits = stage(model, Bucketizer.class).getSplitsArray();
      for (int i = 0; i < bucketed.size(); i++) {
        String column = bucketed.get(i).column();
        for (int j = 0; j + 1 < splits[i].length; j++) {
          String range = "[" + bound(splits[i][j]) + "," + bound(splits[i][j + 1]) + ")";
          slots.add(new Slot(column + "_bucket=" + range, column, 0.0, 1.0));
        }
      }
    }
    List<LevelFeature> levels = LevelFeature.of(spec);
    if (!levels.isEmpty()) {
      String[][] labels = stage(model, StringIndexerModel.class).labelsArray();
      for (int i = 0; i < levels.size(); i++) {
        LevelFeature l = levels.get(i);
        String source = String.join(LevelFeature.CROSS, l.sourceColumns());
        for (String label : labels[i]) {
          slots.add(new Slot(l.name() + "=" + label, source, 0.0, 1.0));
        }
        slots.add(new Slot(l.name() + "=" + l.otherLevel(), source, 0.0, 1.0));
      }
    }
    for (HashedFeature h : spec.hashedOrEmpty()) {
      int buckets = hasher(model, FeaturePipeline.hashCol(h)).getNumFeatures();
      for (int j = 0; j < buckets; j++) {
        slots.add(new Slot("hash(" + h.column() + ")[" + j + "]", h.column(), 0.0, 1.0));
      }
    }
    return slots;
  }

  public static List<String> names(PipelineModel model, FeaturesConfig spec) {
    return slots(model, spec).stream().map(Slot::name).toList();
  }

  /**
   * Each mean- or median-imputed column's fitted value, by the imputer's output column (one
   * small Spark job per imputer: MLlib keeps the values in a DataFrame).
   */
  public static Map<String, Double> surrogates(PipelineModel model) {
    Map<String, Double> out = new java.util.LinkedHashMap<>();
    for (Transformer t : model.stages()) {
      if (t instanceof ImputerModel imputer) {
        Row row = imputer.surrogateDF().first();
        String[] in = imputer.getInputCols();
        String[] outCols = imputer.getOutputCols();
        for (int i = 0; i < in.length; i++) {
          out.put(outCols[i], ((Number) row.getAs(in[i])).doubleValue());
        }
      }
    }
    return out;
  }

  /**
   * Slot names come from the spec's structure and the model's fitted values; if the two do not
   * belong together (the config's spec changed since this version was trained), naming slots
   * from it would silently mislabel coefficients.
   */
  private static void requireSameLayout(PipelineModel model, FeaturesConfig spec) {
    List<List<String>> expected = new ArrayList<>();
    if (!FeaturePipeline.scaled(spec).isEmpty()) {
      expected.add(FeaturePipeline.scaledColumns(spec));
    }
    expected.add(FeaturePipeline.assembledColumns(spec));
    List<List<String>> actual = new ArrayList<>();
    for (Transformer t : model.stages()) {
      if (t instanceof VectorAssembler a) {
        actual.add(Arrays.asList(a.getInputCols()));
      }
    }
    if (!actual.equals(expected)) {
      throw new IllegalArgumentException("the feature spec does not match the fitted model (model assembles "
          + actual + ", spec would assemble " + expected + "): use the feature_spec in the version's manifest.json");
    }
  }

  private static String bound(double v) {
    return v == Double.NEGATIVE_INFINITY ? "-inf" : v == Double.POSITIVE_INFINITY ? "inf" : Double.toString(v);
  }

  private static FeatureHasher hasher(PipelineModel model, String outputCol) {
    for (Transformer t : model.stages()) {
      if (t instanceof FeatureHasher h && h.getOutputCol().equals(outputCol)) {
        return h;
      }
    }
    throw new IllegalStateException("fitted pipeline has no FeatureHasher for " + outputCol);
  }

  static <T extends Transformer> T stage(PipelineModel model, Class<T> type) {
    for (Transformer t : model.stages()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    throw new IllegalStateException("fitted pipeline has no " + type.getSimpleName());
  }
}
