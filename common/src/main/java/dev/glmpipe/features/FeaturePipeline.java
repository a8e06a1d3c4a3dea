package dev.glmpipe.features;

import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.config.FeaturesConfig.Impute;
import dev.glmpipe.config.FeaturesConfig.NumericFeature;
import dev.glmpipe.config.FeaturesConfig.Scale;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.Imputer;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;

/**
 * Turns the declared feature spec into MLlib stages that produce one {@link #FEATURES} vector.
 * The stages are fitted together with the estimator and saved inside the model version, so
 * scoring applies exactly the imputation values, category indexes and scaling that training saw.
 *
 * <p>Vector layout, in order: standardized numerics, other numerics, booleans, then per
 * categorical column one slot per training category plus one for unseen values
 * ({@link FittedFeatures} names them).
 */
public final class FeaturePipeline {
  public static final String FEATURES = "features";

  private FeaturePipeline() {}

  public static List<PipelineStage> stages(FeaturesConfig spec) {
    List<PipelineStage> stages = new ArrayList<>();
    stages.add(castStage(spec));
    for (Impute strategy : Impute.values()) {
      List<NumericFeature> group = spec.numericOrEmpty().stream().filter(n -> n.impute() == strategy).toList();
      if (!group.isEmpty()) {
        stages.add(new Imputer()
            .setStrategy(strategy.name().toLowerCase(Locale.ROOT))
            .setInputCols(group.stream().map(n -> doubleCol(n.column())).toArray(String[]::new))
            .setOutputCols(group.stream().map(n -> imputedCol(n.column())).toArray(String[]::new)));
      }
    }
    List<String> assembled = new ArrayList<>();
    List<String> scaled = scaledColumns(spec);
    if (!scaled.isEmpty()) {
      stages.add(new VectorAssembler()
          .setInputCols(scaled.stream().map(FeaturePipeline::imputedCol).toArray(String[]::new))
          .setOutputCol("__scale_in"));
      stages.add(new StandardScaler().setWithMean(true).setWithStd(true)
          .setInputCol("__scale_in").setOutputCol(SCALED));
      assembled.add(SCALED);
    }
    unscaledColumns(spec).forEach(c -> assembled.add(imputedCol(c)));
    spec.booleanOrEmpty().forEach(c -> assembled.add(doubleCol(c)));
    List<String> categorical = categoricalColumns(spec);
    if (!categorical.isEmpty()) {
      // handleInvalid=keep on both: unseen values and nulls get an extra index and their own
      // one-hot slot (the encoder's dropLast removes only its own invalid slot). Training never
      // sees that slot set, so its weight is 0 and such rows score without failing the job.
      stages.add(new StringIndexer()
          .setInputCols(categorical.toArray(String[]::new))
          .setOutputCols(categorical.stream().map(c -> "__idx_" + c).toArray(String[]::new))
          .setStringOrderType("frequencyDesc")
          .setHandleInvalid("keep"));
      stages.add(new OneHotEncoder()
          .setInputCols(categorical.stream().map(c -> "__idx_" + c).toArray(String[]::new))
          .setOutputCols(categorical.stream().map(c -> "__ohe_" + c).toArray(String[]::new))
          .setDropLast(true)
          .setHandleInvalid("keep"));
      categorical.forEach(c -> assembled.add("__ohe_" + c));
    }
    stages.add(new VectorAssembler().setInputCols(assembled.toArray(String[]::new)).setOutputCol(FEATURES));
    return stages;
  }

  static final String SCALED = "__scaled";

  static List<String> scaledColumns(FeaturesConfig spec) {
    return spec.numericOrEmpty().stream().filter(n -> n.scale() == Scale.STANDARD).map(NumericFeature::column).toList();
  }

  static List<String> unscaledColumns(FeaturesConfig spec) {
    return spec.numericOrEmpty().stream().filter(n -> n.scale() != Scale.STANDARD).map(NumericFeature::column).toList();
  }

  static List<String> categoricalColumns(FeaturesConfig spec) {
    return spec.categoricalOrEmpty().stream().map(FeaturesConfig.CategoricalFeature::column).toList();
  }

  /** Every input column the spec reads; scoring needs exactly these (plus key columns). */
  public static List<String> inputColumns(FeaturesConfig spec) {
    List<String> cols = new ArrayList<>();
    spec.numericOrEmpty().forEach(n -> cols.add(n.column()));
    cols.addAll(spec.booleanOrEmpty());
    cols.addAll(categoricalColumns(spec));
    return cols;
  }

  /**
   * Numerics become doubles before imputing (Imputer would otherwise round a mean into an
   * integer column); booleans become 1.0/0.0 with null read as false.
   */
  private static SQLTransformer castStage(FeaturesConfig spec) {
    StringBuilder sql = new StringBuilder("SELECT *");
    for (NumericFeature n : spec.numericOrEmpty()) {
      sql.append(", CAST(").append(quote(n.column())).append(" AS DOUBLE) AS ").append(quote(doubleCol(n.column())));
    }
    for (String b : spec.booleanOrEmpty()) {
      sql.append(", CAST(COALESCE(").append(quote(b)).append(", false) AS DOUBLE) AS ").append(quote(doubleCol(b)));
    }
    return new SQLTransformer().setStatement(sql.append(" FROM __THIS__").toString());
  }

  static String doubleCol(String column) {
    return "__d_" + column;
  }

  static String imputedCol(String column) {
    return "__imp_" + column;
  }

  private static String quote(String column) {
    return "`" + column.replace("`", "``") + "`";
  }
}
