package dev.glmpipe.features;

import dev.glmpipe.config.FeaturesConfig;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.feature.OneHotEncoderModel;
import org.apache.spark.ml.feature.StandardScalerModel;
import org.apache.spark.ml.feature.StringIndexerModel;

/**
 * Names and scaling of each slot of a fitted {@link FeaturePipeline} vector, read back from the
 * fitted stages. A slot's model value is {@code (x - shift) / scale} of its input value
 * {@code x}, which lets coefficients be reported in the units of the input columns.
 */
public final class FittedFeatures {
  /** One vector slot: {@code tenure_months}, {@code autopay}, or {@code plan=premium}. */
  public record Slot(String name, String sourceColumn, double shift, double scale) {}

  /** The slot of values not seen in training, and nulls; its weight is 0 after training. */
  public static final String UNSEEN = "__unseen__";

  private FittedFeatures() {}

  public static List<Slot> slots(PipelineModel model, FeaturesConfig spec) {
    List<Slot> slots = new ArrayList<>();
    List<String> scaled = FeaturePipeline.scaledColumns(spec);
    if (!scaled.isEmpty()) {
      StandardScalerModel scaler = stage(model, StandardScalerModel.class);
      double[] mean = scaler.mean().toArray();
      double[] std = scaler.std().toArray();
      for (int i = 0; i < scaled.size(); i++) {
        // StandardScaler maps a constant column (std 0) to 0.0; scale 0 would divide by zero.
        double s = std[i] == 0.0 ? Double.POSITIVE_INFINITY : std[i];
        slots.add(new Slot(scaled.get(i), scaled.get(i), mean[i], s));
      }
    }
    FeaturePipeline.unscaledColumns(spec).forEach(c -> slots.add(new Slot(c, c, 0.0, 1.0)));
    spec.booleanOrEmpty().forEach(c -> slots.add(new Slot(c, c, 0.0, 1.0)));
    List<String> categorical = FeaturePipeline.categoricalColumns(spec);
    if (!categorical.isEmpty()) {
      String[][] labels = stage(model, StringIndexerModel.class).labelsArray();
      OneHotEncoderModel encoder = stage(model, OneHotEncoderModel.class);
      int[] sizes = encoder.categorySizes();
      for (int i = 0; i < categorical.size(); i++) {
        // The encoder's output width, as MLlib computes it: handleInvalid=keep adds one slot,
        // dropLast removes one. The indexer's own "unknown" label is already in sizes[i], so
        // with keep + dropLast the width is the labels plus one unseen slot.
        boolean keep = "keep".equals(encoder.getHandleInvalid());
        int width = sizes[i] + (keep ? 1 : 0) - (encoder.getDropLast() ? 1 : 0);
        for (int j = 0; j < width; j++) {
          String level = j < labels[i].length ? labels[i][j] : UNSEEN;
          slots.add(new Slot(categorical.get(i) + "=" + level, categorical.get(i), 0.0, 1.0));
        }
      }
    }
    return slots;
  }

  public static List<String> names(PipelineModel model, FeaturesConfig spec) {
    return slots(model, spec).stream().map(Slot::name).toList();
  }

  static <T extends Transformer> T stage(PipelineModel model, Class<T> type) {
    for (Transformer t : model.stages()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
      if (t instanceof PipelineModel nested) {
        for (Transformer inner : nested.stages()) {
          if (type.isInstance(inner)) {
            return type.cast(inner);
          }
        }
      }
    }
    throw new IllegalStateException("fitted pipeline has no " + type.getSimpleName());
  }
}
