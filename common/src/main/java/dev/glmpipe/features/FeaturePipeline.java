package dev.glmpipe.features;

import dev.glmpipe.Sql;
import static org.apache.spark.sql.functions.lit;

import dev.glmpipe.spark.ImputerModels;
import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.config.FeaturesConfig.HashedFeature;
import dev.glmpipe.config.FeaturesConfig.Impute;
import dev.glmpipe.config.FeaturesConfig.NumericFeature;
import dev.glmpipe.config.FeaturesConfig.Scale;
import dev.glmpipe.config.FeaturesConfig.Transform;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.feature.Bucketizer;
import org.apache.spark.ml.feature.FeatureHasher;
import org.apache.spark.ml.feature.ImputerModel;
import org.apache.spark.ml.feature.OneHotEncoderModel;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StandardScalerModel;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Turns the declared feature spec into MLlib stages that produce one {@link #FEATURES} vector.
 * The stages are saved inside the model version, so scoring applies exactly the imputation
 * values, levels, bucket bounds and scaling that training saw. Only stock MLlib model classes
 * are used, so a saved model loads anywhere Spark ML does.
 *
 * <p>The stages are built already fitted from {@link FeatureStatistics} (one pass over the
 * training rows for all of them), not fitted estimator by estimator. In order:
 * <ol>
 *   <li>one SQLTransformer that prepares every input: numerics cast to double, constant
 *       imputation, clip and log1p; booleans as 1.0/0.0; level features as strings;
 *   <li>an ImputerModel per mean/median group (what Imputer would fit);
 *   <li>VectorAssembler + StandardScalerModel (with mean, with std) for the standardized numerics;
 *   <li>a Bucketizer for the bucketed numerics (what QuantileDiscretizer would fit);
 *   <li>a StringIndexerModel over the counted levels (StringIndexer has no minimum count), with
 *       every other value in one extra index;
 *   <li>one OneHotEncoderModel for buckets and levels; a FeatureHasher per hashed column;
 *   <li>the final VectorAssembler.
 * </ol>
 *
 * <p>Vector layout, in order: standardized numerics, other numerics, booleans, each bucketed
 * numeric's buckets, each level feature's levels plus its "other" slot (categoricals, then
 * date parts, then crosses), each hashed column's buckets. {@link FittedPlan} names them.
 */
public final class FeaturePipeline {
  public static final String FEATURES = "features";

  static final String SCALED = "__scaled";
  private static final String SCALE_IN = "__scale_in";

  private FeaturePipeline() {}

  /**
   * The fitted stages for {@code spec}, from one pass over {@code trainingRows} (see
   * {@link FeatureStatistics}); a Pipeline of them fits without reading the data again.
   */
  public static List<PipelineStage> stages(FeaturesConfig spec, Dataset<Row> trainingRows) {
    StatisticsPass pass = new StatisticsPass();
    FeatureStatistics.request(spec, trainingRows.schema(), pass);
    StatisticsPass.Results results = pass.run(trainingRows, lit(true));
    FeatureStatistics stats = FeatureStatistics.read(spec, trainingRows.schema(), results, trainingRows);
    return List.of(fitted(spec, trainingRows.sparkSession(), trainingRows.schema(), stats).stages());
  }

  /**
   * The fitted feature pipeline built from statistics already computed: the same MLlib model
   * classes the estimators would produce (ImputerModel, StandardScalerModel, Bucketizer,
   * StringIndexerModel, OneHotEncoderModel), so a saved version loads and scores anywhere Spark
   * ML does, but without a Spark job per estimator.
   */
  public static PipelineModel fitted(FeaturesConfig spec, SparkSession spark, StructType schema, FeatureStatistics stats) {
    List<LevelFeature> levels = LevelFeature.of(spec);
    List<Transformer> stages = new ArrayList<>();
    stages.add(prepareStage(spec, levels, schema));
    for (Impute strategy : List.of(Impute.MEAN, Impute.MEDIAN)) {
      List<NumericFeature> group = spec.numericOrEmpty().stream().filter(n -> n.impute() == strategy).toList();
      if (!group.isEmpty()) {
        String[] inputs = group.stream().map(FeaturePipeline::preparedCol).toArray(String[]::new);
        StructType surrogateSchema = new StructType();
        Object[] values = new Object[group.size()];
        for (int i = 0; i < group.size(); i++) {
          surrogateSchema = surrogateSchema.add(inputs[i], DataTypes.DoubleType, false);
          values[i] = stats.surrogate(group.get(i));
        }
        ImputerModel imputer = ImputerModels.of(Identifiable.randomUID("imputer"), surrogateSchema, values)
            .setInputCols(inputs)
            .setOutputCols(group.stream().map(FeaturePipeline::numericCol).toArray(String[]::new));
        imputer.set(imputer.strategy(), strategy.name().toLowerCase(Locale.ROOT));
        stages.add(imputer);
      }
    }
    List<NumericFeature> scaled = scaled(spec);
    if (!scaled.isEmpty()) {
      stages.add(new VectorAssembler().setInputCols(scaledColumns(spec).toArray(String[]::new)).setOutputCol(SCALE_IN));
      double[] mean = new double[scaled.size()];
      double[] std = new double[scaled.size()];
      for (int i = 0; i < scaled.size(); i++) {
        double[] moments = stats.scaling(scaled.get(i));
        mean[i] = moments[0];
        std[i] = moments[1];
      }
      StandardScalerModel scaler = new StandardScalerModel(Identifiable.randomUID("stdScal"), Vectors.dense(std), Vectors.dense(mean))
          .setInputCol(SCALE_IN).setOutputCol(SCALED);
      scaler.set(scaler.withMean(), true);
      scaler.set(scaler.withStd(), true);
      stages.add(scaler);
    }
    List<NumericFeature> bucketed = bucketed(spec);
    if (!bucketed.isEmpty()) {
      // Bounds are approximate quantiles (relative error 0.001); equal bounds collapse, so a column
      // with few distinct values may get fewer buckets than asked. FittedPlan reads the real bounds.
      stages.add(new Bucketizer()
          .setInputCols(bucketed.stream().map(FeaturePipeline::numericCol).toArray(String[]::new))
          .setOutputCols(bucketed.stream().map(n -> indexCol(bucketKey(n))).toArray(String[]::new))
          .setSplitsArray(bucketed.stream().map(stats::splits).toArray(double[][]::new)));
    }
    if (!levels.isEmpty()) {
      // handleInvalid=keep sends every value outside the levels (rare, unseen, null) to one extra
      // index, which the encoder turns into the "other" slot (StringIndexer has no minimum count).
      stages.add(new StringIndexerModel(levels.stream().map(l -> stats.levels(l).toArray(String[]::new)).toArray(String[][]::new))
          .setInputCols(levels.stream().map(LevelFeature::column).toArray(String[]::new))
          .setOutputCols(levels.stream().map(l -> indexCol(l.key())).toArray(String[]::new))
          .setHandleInvalid("keep"));
    }
    List<String> encoded = encodedKeys(spec, levels);
    if (!encoded.isEmpty()) {
      // Widths: each bucket is a slot, and each level plus the extra index; nothing is dropped
      // and no index is invalid, so every slot is a named level.
      int[] sizes = new int[encoded.size()];
      int at = 0;
      for (NumericFeature n : bucketed) {
        sizes[at++] = stats.splits(n).length - 1;
      }
      for (LevelFeature l : levels) {
        sizes[at++] = stats.levels(l).size() + 1;
      }
      stages.add(new OneHotEncoderModel(Identifiable.randomUID("oneHotEncoder"), sizes)
          .setInputCols(encoded.stream().map(FeaturePipeline::indexCol).toArray(String[]::new))
          .setOutputCols(encoded.stream().map(FeaturePipeline::oneHotCol).toArray(String[]::new))
          .setDropLast(false)
          .setHandleInvalid("error"));
    }
    for (HashedFeature h : spec.hashedOrEmpty()) {
      // categoricalCols makes an integer column hash "column=value" like a string would.
      stages.add(new FeatureHasher()
          .setInputCols(new String[] {h.column()})
          .setCategoricalCols(new String[] {h.column()})
          .setNumFeatures(h.buckets())
          .setOutputCol(hashCol(h)));
    }
    stages.add(new VectorAssembler().setInputCols(assembledColumns(spec).toArray(String[]::new)).setOutputCol(FEATURES));
    return new PipelineModel(Identifiable.randomUID("pipeline"), stages.toArray(Transformer[]::new));
  }

  /** Every input column the spec reads; scoring needs exactly these (plus key columns). */
  public static List<String> inputColumns(FeaturesConfig spec) {
    LinkedHashSet<String> cols = new LinkedHashSet<>();
    spec.numericOrEmpty().forEach(n -> cols.add(n.column()));
    cols.addAll(spec.booleanOrEmpty());
    LevelFeature.of(spec).forEach(l -> cols.addAll(l.sourceColumns()));
    spec.hashedOrEmpty().forEach(h -> cols.add(h.column()));
    return List.copyOf(cols);
  }

  /**
   * A one-hot encoded feature's value as Spark SQL over the input columns, exactly as the
   * pipeline computes it: for code that must see the same levels the model does (the profile).
   *
   * @param kind {@code categorical}, {@code date_part} or {@code cross}
   */
  public record LevelExpression(String name, String kind, List<String> columns, String sql) {}

  public static List<LevelExpression> levelExpressions(FeaturesConfig spec, StructType schema) {
    return LevelFeature.of(spec).stream()
        .map(l -> new LevelExpression(l.name(), l.kind(), l.sourceColumns(), l.sql(schema)))
        .toList();
  }

  /**
   * A one-hot encoded feature as the JSON export describes it, for a scorer outside Spark: how
   * its string value is made from the input columns ({@code kind}: {@code categorical} is the
   * column cast to a string, {@code date_part} the calendar {@code part} of a date or timestamp
   * read in {@code timeZone}, {@code cross} the two columns' strings joined by {@code ×}), and
   * the name of the extra slot that takes every value outside the levels.
   *
   * @param part {@code day_of_week}, {@code month} or {@code hour} (date parts only, else null)
   * @param timeZone the zone a timestamp's part is read in (date parts only, else null)
   */
  public record LevelDescription(String name, String kind, List<String> columns, String part, String timeZone,
      String otherLevel) {}

  /** Every level feature of {@code spec}, in vector order (the fitted indexer's order). */
  public static List<LevelDescription> levelDescriptions(FeaturesConfig spec) {
    return LevelFeature.of(spec).stream().map(l -> {
      String part = null;
      String zone = null;
      if (l instanceof LevelFeature.CalendarPart c) {
        part = c.part().name().toLowerCase(Locale.ROOT);
        zone = c.spec().timeZone();
      }
      return new LevelDescription(l.name(), l.kind(), l.sourceColumns(), part, zone, l.otherLevel());
    }).toList();
  }

  /**
   * The levels a fitted pipeline keeps per level feature name (what its StringIndexerModel
   * indexes, most frequent first; every other value goes to the "other" slot).
   */
  public static java.util.Map<String, List<String>> keptLevels(PipelineModel pipeline, FeaturesConfig spec) {
    java.util.Map<String, String[]> byColumn = new java.util.HashMap<>();
    List<Transformer> stages = new ArrayList<>(List.of(pipeline.stages()));
    for (int at = 0; at < stages.size(); at++) {
      Transformer stage = stages.get(at);
      if (stage instanceof PipelineModel nested) {
        stages.addAll(List.of(nested.stages()));
      }
      if (stage instanceof StringIndexerModel indexer) {
        String[] inputs = indexer.getInputCols();
        String[][] labels = indexer.labelsArray();
        for (int i = 0; i < inputs.length; i++) {
          byColumn.put(inputs[i], labels[i]);
        }
      }
    }
    java.util.Map<String, List<String>> out = new java.util.LinkedHashMap<>();
    for (LevelFeature l : LevelFeature.of(spec)) {
      String[] labels = byColumn.get(l.column());
      if (labels == null) {
        throw new IllegalArgumentException("the pipeline has no levels for " + l.name());
      }
      out.put(l.name(), List.of(labels));
    }
    return out;
  }

  /** The final assembler's inputs, in vector order. */
  static List<String> assembledColumns(FeaturesConfig spec) {
    List<String> cols = new ArrayList<>();
    if (!scaled(spec).isEmpty()) {
      cols.add(SCALED);
    }
    plain(spec).forEach(n -> cols.add(numericCol(n)));
    spec.booleanOrEmpty().forEach(b -> cols.add(booleanCol(b)));
    encodedKeys(spec, LevelFeature.of(spec)).forEach(k -> cols.add(oneHotCol(k)));
    spec.hashedOrEmpty().forEach(h -> cols.add(hashCol(h)));
    return cols;
  }

  /** The inputs of the assembler in front of the StandardScaler. */
  static List<String> scaledColumns(FeaturesConfig spec) {
    return scaled(spec).stream().map(FeaturePipeline::numericCol).toList();
  }

  public static List<NumericFeature> scaled(FeaturesConfig spec) {
    return spec.numericOrEmpty().stream().filter(n -> n.buckets() == null && n.scale() == Scale.STANDARD).toList();
  }

  public static List<NumericFeature> plain(FeaturesConfig spec) {
    return spec.numericOrEmpty().stream().filter(n -> n.buckets() == null && n.scale() == Scale.NONE).toList();
  }

  public static List<NumericFeature> bucketed(FeaturesConfig spec) {
    return spec.numericOrEmpty().stream().filter(n -> n.buckets() != null).toList();
  }

  /** The slot name of a numeric column: its own name, or {@code log1p(name)} when transformed. */
  static String numericName(NumericFeature n) {
    return n.transform() == Transform.LOG1P ? "log1p(" + n.column() + ")" : n.column();
  }

  /** The SQL that prepares a numeric value: cast, constant imputation, clip, transform. */
  static String numericSql(NumericFeature n) {
    String v = "CAST(" + Sql.quote(n.column()) + " AS DOUBLE)";
    if (n.impute() == Impute.CONSTANT) {
      v = "coalesce(" + v + ", " + Sql.number(n.imputeValue()) + ")";
    }
    if (n.clip() != null) {
      // Not least/greatest: they skip nulls, and a null must stay null for the Imputer.
      String lo = Sql.number(n.clip().get(0));
      String hi = Sql.number(n.clip().get(1));
      v = "CASE WHEN " + v + " < " + lo + " THEN " + lo + " WHEN " + v + " > " + hi + " THEN " + hi + " ELSE " + v + " END";
    }
    if (n.transform() == Transform.LOG1P) {
      v = "log1p(" + v + ")";
    }
    return v;
  }

  private static SQLTransformer prepareStage(FeaturesConfig spec, List<LevelFeature> levels, StructType schema) {
    StringBuilder sql = new StringBuilder("SELECT *");
    for (NumericFeature n : spec.numericOrEmpty()) {
      sql.append(", ").append(numericSql(n)).append(" AS ").append(Sql.quote(preparedCol(n)));
    }
    for (String b : spec.booleanOrEmpty()) {
      sql.append(", CAST(coalesce(").append(Sql.quote(b)).append(", false) AS DOUBLE) AS ").append(Sql.quote(booleanCol(b)));
    }
    for (LevelFeature l : levels) {
      sql.append(", ").append(l.sql(schema)).append(" AS ").append(Sql.quote(l.column()));
    }
    return new SQLTransformer().setStatement(sql.append(" FROM __THIS__").toString());
  }

  /** Keys of the one-hot encoded features, in vector order: buckets, then levels. */
  private static List<String> encodedKeys(FeaturesConfig spec, List<LevelFeature> levels) {
    List<String> keys = new ArrayList<>();
    bucketed(spec).forEach(n -> keys.add(bucketKey(n)));
    levels.forEach(l -> keys.add(l.key()));
    return keys;
  }

  /**
   * The prepared value before mean/median imputation. A transform is part of the name, so a
   * spec that differs from the fitted model only in its transform still fails the layout check
   * in {@link FittedPlan} instead of naming slots wrongly.
   */
  private static String preparedCol(NumericFeature n) {
    return (n.transform() == Transform.LOG1P ? "__log1p_" : "__num_") + n.column();
  }

  /** The numeric value the model reads: imputed by the Imputer, or prepared in SQL. */
  public static String numericCol(NumericFeature n) {
    return n.impute() == Impute.CONSTANT ? preparedCol(n) : "__imp" + preparedCol(n);
  }

  private static String booleanCol(String column) {
    return "__bool_" + column;
  }

  static String bucketKey(NumericFeature n) {
    return "bkt_" + n.column();
  }

  static String indexCol(String key) {
    return "__idx_" + key;
  }

  private static String oneHotCol(String key) {
    return "__ohe_" + key;
  }

  static String hashCol(HashedFeature h) {
    return "__hash_" + h.column();
  }
}
