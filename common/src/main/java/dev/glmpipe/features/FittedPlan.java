package dev.glmpipe.features;

import dev.glmpipe.Sql;
import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.config.FeaturesConfig.HashedFeature;
import dev.glmpipe.config.FeaturesConfig.NumericFeature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import org.apache.spark.SparkException;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.Bucketizer;
import org.apache.spark.ml.feature.FeatureHasher;
import org.apache.spark.ml.feature.ImputerModel;
import org.apache.spark.ml.feature.OneHotEncoderModel;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StandardScalerModel;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.SparseMatrix;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.regression.LinearRegressionModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A fitted {@link PipelineModel} read once into plain values: its stages in order, each with
 * the parameters it was fitted to (imputation values, scaler means and deviations, bucket
 * splits, indexer labels, one-hot sizes, hasher settings, assembler inputs, the linear model's
 * coefficients and intercepts), and, when read with the feature spec it was fitted from, the
 * name and scaling of each slot of the assembled vector. The compiler, the exports, the
 * coefficient naming and training read the plan; this is the one place that reads MLlib stages.
 *
 * <p>A slot's model value is {@code (x - shift) / scale} of its input value {@code x}, which
 * lets coefficients be reported in the units of the input columns. Slot names:
 * {@code monthly_charges}, {@code log1p(support_calls)}, {@code autopay},
 * {@code tenure_months_bucket=[12.0,24.0)}, {@code plan=premium}, {@code plan=__other__},
 * {@code last_login_at.day_of_week=Mon}, {@code last_login_at.hour=__missing__},
 * {@code plan×region=premium×west}, {@code hash(device)[17]}.
 *
 * <p>Reading runs no Spark job, except for an imputer whose surrogates are not held on the
 * driver (one fitted by MLlib's Imputer rather than built by {@link FeaturePipeline} or loaded
 * by the registry): MLlib keeps them in a DataFrame, read once per imputer object.
 *
 * @param slots the assembled vector's slots; null when read without the spec ({@link #slots()} then throws)
 */
public record FittedPlan(List<Stage> stages, List<Slot> slots) {
  /** One vector slot and the input column (or cross) it comes from. */
  public record Slot(String name, String sourceColumn, double shift, double scale) {}

  /** The slot of a categorical's or cross's rare, unseen and null values. */
  public static final String OTHER = LevelFeature.OTHER;
  /** The slot of a date part whose date or timestamp is null. */
  public static final String MISSING = LevelFeature.MISSING;

  /**
   * Each imputer's surrogates, read once per imputer object: reading them may be a Spark job,
   * and a run reads its model's plan more than once (scoring, parity samples, exports).
   */
  private static final Map<ImputerModel, List<Double>> SURROGATES = Collections.synchronizedMap(new WeakHashMap<>());

  /** The MLlib class each kind of stage is read from. */
  private static final Map<Class<?>, Class<?>> MLLIB = Map.of(
      SqlStatement.class, SQLTransformer.class, Imputer.class, ImputerModel.class, Assembler.class, VectorAssembler.class,
      Scaler.class, StandardScalerModel.class, Buckets.class, Bucketizer.class, Indexer.class, StringIndexerModel.class,
      OneHot.class, OneHotEncoderModel.class, Hasher.class, FeatureHasher.class, Linear.class, LinearRegressionModel.class,
      Logistic.class, LogisticRegressionModel.class);

  public FittedPlan {
    stages = List.copyOf(stages);
    slots = slots == null ? null : List.copyOf(slots);
  }

  /** The stages of {@code model}, without slot names (no spec needed). */
  public static FittedPlan of(PipelineModel model) {
    return new FittedPlan(read(model), null);
  }

  /**
   * The stages of {@code model} and the slots of its assembled vector.
   *
   * @param spec the spec {@code model} was fitted with (the version's manifest records it)
   * @throws IllegalArgumentException if {@code model} was not fitted from {@code spec}
   */
  public static FittedPlan of(PipelineModel model, FeaturesConfig spec) {
    List<Stage> stages = read(model);
    return new FittedPlan(stages, slots(stages, spec));
  }

  private static List<Stage> read(PipelineModel model) {
    return Arrays.stream(model.stages()).map(FittedPlan::stage).toList();
  }

  // ---- the stages ------------------------------------------------------------------------

  /** A fitted stage as the plan holds it. */
  public sealed interface Stage permits SqlStatement, Imputer, Assembler, Scaler, Buckets, Indexer, OneHot, Hasher,
      Regression, Unknown {
    String uid();

    /** The simple name of the MLlib class the stage was read from. */
    default String mllibClass() {
      return MLLIB.get(getClass()).getSimpleName();
    }

    /** The stage as messages name it: its class and uid. */
    default String describe() {
      return mllibClass() + " " + uid();
    }
  }

  /** SQLTransformer: Spark SQL over the dataset already. */
  public record SqlStatement(String uid, String statement) implements Stage {
    /** {@code df} through the statement, exactly as the SQLTransformer applies it. */
    public Dataset<Row> transform(Dataset<Row> df) {
      return new SQLTransformer(uid).setStatement(statement).transform(df);
    }
  }

  /**
   * ImputerModel: a null or {@code missingValue} input becomes its surrogate.
   *
   * @param surrogates by input column (an entry is null only if the fitted value is)
   */
  public record Imputer(String uid, List<String> inputCols, List<String> outputCols, double missingValue,
      List<Double> surrogates) implements Stage {}

  /** VectorAssembler. */
  public record Assembler(String uid, List<String> inputCols, String outputCol, String handleInvalid) implements Stage {}

  /** StandardScalerModel. */
  public record Scaler(String uid, String inputCol, String outputCol, List<Double> mean, List<Double> std,
      boolean withMean, boolean withStd) implements Stage {}

  /** Bucketizer, one set of splits per input column. */
  public record Buckets(String uid, List<String> inputCols, List<String> outputCols, List<List<Double>> splits,
      String handleInvalid) implements Stage {
    public double[] splitsOf(int column) {
      return doubles(splits.get(column));
    }
  }

  /** StringIndexerModel, one label list per input column. */
  public record Indexer(String uid, List<String> inputCols, List<String> outputCols, List<List<String>> labels,
      String handleInvalid) implements Stage {
    public String[] labelsOf(int column) {
      return labels.get(column).toArray(String[]::new);
    }
  }

  /** OneHotEncoderModel. */
  public record OneHot(String uid, List<String> inputCols, List<String> outputCols, List<Integer> categorySizes,
      boolean dropLast, String handleInvalid) implements Stage {}

  /** FeatureHasher. */
  public record Hasher(String uid, List<String> inputCols, List<String> categoricalCols, int numFeatures, String outputCol)
      implements Stage {}

  /** The linear model that ends a pipeline. */
  public sealed interface Regression extends Stage permits Linear, Logistic {
    String featuresCol();

    String predictionCol();

    /** One row of weights per margin (one for a linear or binomial model, one per class for a multinomial one). */
    List<List<Double>> coefficientRows();

    /** One intercept per row of weights. */
    List<Double> intercepts();

    /** Whether MLlib holds the weights as a sparse vector or matrix (its BLAS then skips the zeros it does not store). */
    boolean sparse();
  }

  /** LinearRegressionModel. */
  public record Linear(String uid, String featuresCol, String predictionCol, List<Double> coefficients, double intercept,
      boolean sparse) implements Regression {
    @Override
    public List<List<Double>> coefficientRows() {
      return List.of(coefficients);
    }

    @Override
    public List<Double> intercepts() {
      return List.of(intercept);
    }
  }

  /**
   * LogisticRegressionModel.
   *
   * @param threshold a binomial model's threshold ({@code getThreshold}), NaN for a multinomial one
   * @param perClassThresholds whether {@code thresholds} is defined
   */
  public record Logistic(String uid, String featuresCol, String predictionCol, String probabilityCol, int numClasses,
      List<List<Double>> coefficientRows, List<Double> intercepts, boolean sparse, double threshold,
      boolean perClassThresholds) implements Regression {
    /** A binomial model's weights; a multinomial model fails as MLlib's {@code coefficients} does. */
    public List<Double> coefficients() {
      if (coefficientRows.size() != 1) {
        throw sneaky(new SparkException("Multinomial models contain a matrix of coefficients, use coefficientMatrix instead."));
      }
      return coefficientRows.get(0);
    }

    /** A binomial model's intercept; a multinomial model fails as MLlib's {@code intercept} does. */
    public double intercept() {
      if (intercepts.size() != 1) {
        throw sneaky(new SparkException("Multinomial models contain a vector of intercepts, use interceptVector instead."));
      }
      return intercepts.get(0);
    }
  }

  /** Any other stage: its class is all the plan knows. */
  public record Unknown(String uid, String mllibClass) implements Stage {}

  /** Reads one fitted stage. */
  public static Stage stage(Transformer t) {
    if (t instanceof ImputerModel m) {
      List<String> ins = m.isSet(m.inputCols()) ? List.of(m.getInputCols()) : List.of(m.getInputCol());
      List<String> outs = m.isSet(m.outputCols()) ? List.of(m.getOutputCols()) : List.of(m.getOutputCol());
      return new Imputer(m.uid(), ins, outs, m.getMissingValue(), SURROGATES.computeIfAbsent(m, k -> surrogates(k, ins)));
    }
    if (t instanceof SQLTransformer s) {
      return new SqlStatement(s.uid(), s.getStatement());
    }
    if (t instanceof VectorAssembler a) {
      return new Assembler(a.uid(), List.of(a.getInputCols()), a.getOutputCol(), a.getHandleInvalid());
    }
    if (t instanceof StandardScalerModel s) {
      return new Scaler(s.uid(), s.getInputCol(), s.getOutputCol(), boxed(s.mean().toArray()), boxed(s.std().toArray()),
          s.getWithMean(), s.getWithStd());
    }
    if (t instanceof Bucketizer b) {
      boolean multi = b.isSet(b.inputCols());
      double[][] splits = multi ? b.getSplitsArray() : new double[][] {b.getSplits()};
      return new Buckets(b.uid(), multi ? List.of(b.getInputCols()) : List.of(b.getInputCol()),
          multi ? List.of(b.getOutputCols()) : List.of(b.getOutputCol()),
          Arrays.stream(splits).map(FittedPlan::boxed).toList(), b.getHandleInvalid());
    }
    if (t instanceof StringIndexerModel s) {
      boolean multi = s.isSet(s.inputCols());
      return new Indexer(s.uid(), multi ? List.of(s.getInputCols()) : List.of(s.getInputCol()),
          multi ? List.of(s.getOutputCols()) : List.of(s.getOutputCol()),
          Arrays.stream(s.labelsArray()).map(FittedPlan::listOf).toList(), s.getHandleInvalid());
    }
    if (t instanceof OneHotEncoderModel o) {
      return new OneHot(o.uid(), o.isSet(o.inputCols()) ? List.of(o.getInputCols()) : List.of(o.getInputCol()),
          o.isSet(o.outputCols()) ? List.of(o.getOutputCols()) : List.of(o.getOutputCol()),
          Arrays.stream(o.categorySizes()).boxed().toList(), o.getDropLast(), o.getHandleInvalid());
    }
    if (t instanceof FeatureHasher h) {
      return new Hasher(h.uid(), List.of(h.getInputCols()),
          h.isDefined(h.categoricalCols()) ? List.of(h.getCategoricalCols()) : List.of(), h.getNumFeatures(), h.getOutputCol());
    }
    if (t instanceof LinearRegressionModel m) {
      return new Linear(m.uid(), m.getFeaturesCol(), m.getPredictionCol(), boxed(m.coefficients().toArray()), m.intercept(),
          m.coefficients() instanceof SparseVector);
    }
    if (t instanceof LogisticRegressionModel lr) {
      Matrix coef = lr.coefficientMatrix();
      List<List<Double>> rows = new ArrayList<>();
      for (int k = 0; k < coef.numRows(); k++) {
        double[] row = new double[coef.numCols()];
        for (int j = 0; j < row.length; j++) {
          row[j] = coef.apply(k, j);
        }
        rows.add(boxed(row));
      }
      return new Logistic(lr.uid(), lr.getFeaturesCol(), lr.getPredictionCol(), lr.getProbabilityCol(), lr.numClasses(),
          rows, boxed(lr.interceptVector().toArray()), coef instanceof SparseMatrix,
          coef.numRows() == 1 ? lr.getThreshold() : Double.NaN, lr.isDefined(lr.thresholds()));
    }
    return new Unknown(t.uid(), t.getClass().getSimpleName());
  }

  private static List<Double> surrogates(ImputerModel m, List<String> ins) {
    Row row = m.surrogateDF().select(ins.stream().map(Sql::column).toArray(Column[]::new)).head();
    Double[] values = new Double[ins.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = row.isNullAt(i) ? null : ((Number) row.get(i)).doubleValue();
    }
    return listOf(values);
  }

  // ---- reading the plan --------------------------------------------------------------------

  /**
   * The assembled vector's slots.
   *
   * @throws IllegalStateException if the plan was read without its feature spec
   */
  @Override
  public List<Slot> slots() {
    if (slots == null) {
      throw new IllegalStateException("the fitted plan was read without its feature spec, so it has no slot names");
    }
    return slots;
  }

  public List<String> slotNames() {
    return slots().stream().map(Slot::name).toList();
  }

  /** The last stage: the model, in a scoring pipeline. */
  public Stage last() {
    return stages.get(stages.size() - 1);
  }

  /**
   * The first stage of a kind.
   *
   * @throws IllegalStateException if there is none
   */
  public <T extends Stage> T first(Class<T> kind) {
    return stages.stream().filter(kind::isInstance).map(kind::cast).findFirst()
        .orElseThrow(() -> new IllegalStateException("fitted pipeline has no " + MLLIB.getOrDefault(kind, kind).getSimpleName()));
  }

  /** Every stage of a kind, in order. */
  public <T extends Stage> List<T> all(Class<T> kind) {
    return stages.stream().filter(kind::isInstance).map(kind::cast).toList();
  }

  /** Each mean- or median-imputed column's fitted value, by the imputer's output column. */
  public Map<String, Double> surrogates() {
    Map<String, Double> out = new LinkedHashMap<>();
    for (Imputer imputer : all(Imputer.class)) {
      for (int i = 0; i < imputer.inputCols().size(); i++) {
        out.put(imputer.outputCols().get(i), imputer.surrogates().get(i));
      }
    }
    return out;
  }

  // ---- slots -------------------------------------------------------------------------------

  private static List<Slot> slots(List<Stage> stages, FeaturesConfig spec) {
    FittedPlan plan = new FittedPlan(stages, null);
    requireSameLayout(plan, spec);
    List<Slot> slots = new ArrayList<>();
    List<NumericFeature> scaled = FeaturePipeline.scaled(spec);
    if (!scaled.isEmpty()) {
      Scaler scaler = plan.first(Scaler.class);
      for (int i = 0; i < scaled.size(); i++) {
        // StandardScaler maps a constant column (std 0) to 0.0; scale 0 would divide by zero.
        double std = scaler.std().get(i);
        double s = std == 0.0 ? Double.POSITIVE_INFINITY : std;
        slots.add(new Slot(FeaturePipeline.numericName(scaled.get(i)), scaled.get(i).column(), scaler.mean().get(i), s));
      }
    }
    FeaturePipeline.plain(spec).forEach(n -> slots.add(new Slot(FeaturePipeline.numericName(n), n.column(), 0.0, 1.0)));
    spec.booleanOrEmpty().forEach(c -> slots.add(new Slot(c, c, 0.0, 1.0)));
    List<NumericFeature> bucketed = FeaturePipeline.bucketed(spec);
    if (!bucketed.isEmpty()) {
      Buckets buckets = plan.first(Buckets.class);
      for (int i = 0; i < bucketed.size(); i++) {
        String column = bucketed.get(i).column();
        double[] splits = buckets.splitsOf(i);
        for (int j = 0; j + 1 < splits.length; j++) {
          String range = "[" + bound(splits[j]) + "," + bound(splits[j + 1]) + ")";
          slots.add(new Slot(column + "_bucket=" + range, column, 0.0, 1.0));
        }
      }
    }
    List<LevelFeature> levels = LevelFeature.of(spec);
    if (!levels.isEmpty()) {
      Indexer indexer = plan.first(Indexer.class);
      for (int i = 0; i < levels.size(); i++) {
        LevelFeature l = levels.get(i);
        String source = String.join(LevelFeature.CROSS, l.sourceColumns());
        for (String label : indexer.labels().get(i)) {
          slots.add(new Slot(l.name() + "=" + label, source, 0.0, 1.0));
        }
        slots.add(new Slot(l.name() + "=" + l.otherLevel(), source, 0.0, 1.0));
      }
    }
    for (HashedFeature h : spec.hashedOrEmpty()) {
      int buckets = plan.hasher(FeaturePipeline.hashCol(h)).numFeatures();
      for (int j = 0; j < buckets; j++) {
        slots.add(new Slot("hash(" + h.column() + ")[" + j + "]", h.column(), 0.0, 1.0));
      }
    }
    return slots;
  }

  /**
   * Slot names come from the spec's structure and the model's fitted values; if the two do not
   * belong together (the config's spec changed since this version was trained), naming slots
   * from it would silently mislabel coefficients.
   */
  private static void requireSameLayout(FittedPlan plan, FeaturesConfig spec) {
    List<List<String>> expected = new ArrayList<>();
    if (!FeaturePipeline.scaled(spec).isEmpty()) {
      expected.add(FeaturePipeline.scaledColumns(spec));
    }
    expected.add(FeaturePipeline.assembledColumns(spec));
    List<List<String>> actual = plan.all(Assembler.class).stream().map(Assembler::inputCols).toList();
    if (!actual.equals(expected)) {
      throw new IllegalArgumentException("the feature spec does not match the fitted model (model assembles "
          + actual + ", spec would assemble " + expected + "): use the feature_spec in the version's manifest.json");
    }
  }

  private Hasher hasher(String outputCol) {
    return all(Hasher.class).stream().filter(h -> h.outputCol().equals(outputCol)).findFirst()
        .orElseThrow(() -> new IllegalStateException("fitted pipeline has no FeatureHasher for " + outputCol));
  }

  private static String bound(double v) {
    return v == Double.NEGATIVE_INFINITY ? "-inf" : v == Double.POSITIVE_INFINITY ? "inf" : Double.toString(v);
  }

  // ---- values ------------------------------------------------------------------------------

  private static List<Double> boxed(double[] values) {
    return Arrays.stream(values).boxed().toList();
  }

  /** An unmodifiable copy that, unlike {@code List.of}, keeps a null element. */
  @SafeVarargs
  private static <T> List<T> listOf(T... values) {
    return Collections.unmodifiableList(Arrays.asList(values.clone()));
  }

  /** A list of the plan's numbers as an array. */
  public static double[] doubles(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** Rethrows a checked exception unchecked, as Scala code throws it (for MLlib's own failures). */
  @SuppressWarnings("unchecked")
  private static <E extends Throwable> RuntimeException sneaky(Throwable e) throws E {
    throw (E) e;
  }
}
