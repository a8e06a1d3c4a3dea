package dev.glmpipe.score;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.nanvl;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.raise_error;
import static org.apache.spark.sql.functions.when;

import dev.glmpipe.Columns;
import dev.glmpipe.Sql;
import dev.glmpipe.features.FittedPlan;
import dev.glmpipe.features.FittedPlan.Assembler;
import dev.glmpipe.features.FittedPlan.Buckets;
import dev.glmpipe.features.FittedPlan.Imputer;
import dev.glmpipe.features.FittedPlan.Indexer;
import dev.glmpipe.features.FittedPlan.Linear;
import dev.glmpipe.features.FittedPlan.Logistic;
import dev.glmpipe.features.FittedPlan.OneHot;
import dev.glmpipe.features.FittedPlan.Scaler;
import dev.glmpipe.features.FittedPlan.SqlStatement;
import dev.glmpipe.features.FittedPlan.Stage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;

/**
 * Compiles a fitted pipeline (feature stages, then a linear or logistic regression), as its
 * {@link FittedPlan} holds it, into native Spark Column expressions: no UDF, so whole-stage codegen keeps the scoring loop in
 * generated Java code next to the Parquet reader.
 *
 * <p>Every supported stage mirrors MLlib 3.5's own {@code transform}, including its edge cases:
 * <ul>
 *   <li>SQLTransformer is already native and is applied as it is;
 *   <li>ImputerModel: null or {@code missingValue} (NaN by default) becomes the surrogate;
 *   <li>VectorAssembler: numerics and booleans cast to double; with {@code handleInvalid=error}
 *       a null or NaN input fails the row (as MLlib throws), with {@code keep} a null is NaN;
 *   <li>StandardScalerModel: {@code (x - mean) * (1 / std)}, with 0 for a zero std;
 *   <li>Bucketizer: MLlib's binary search over the splits, in Java's total order of doubles
 *       (so -0.0 sorts below a 0.0 split), the last split closed, NaN to the extra bucket
 *       ({@code keep}) or a failure ({@code error});
 *   <li>StringIndexerModel: labels looked up as strings, null and unseen values to index
 *       {@code labels.length} ({@code keep}) or a failure ({@code error});
 *   <li>OneHotEncoderModel: the category sizes fitted into the model, {@code dropLast} and
 *       {@code handleInvalid} exactly as MLlib sizes the vector;
 *   <li>LogisticRegressionModel (binomial: sigmoid and threshold; multinomial: MLlib's softmax
 *       and argmax) and LinearRegressionModel.
 * </ul>
 * Anything else (FeatureHasher among them: it hashes with the standard murmur3 tail, which
 * differs from Spark SQL's {@code hash()} for strings whose UTF-8 length is not a multiple of
 * 4) raises {@link UnsupportedStageException} naming the stage.
 *
 * <p>Long sums are split into partial sums of at most {@link #CHUNK} terms, each generated as a
 * method of its own (see {@link #inItsOwnMethod}), so no generated method grows past the 8000
 * bytes of bytecode the JIT compiles.
 */
public final class PipelineCompiler {
  /**
   * Terms per partial sum. A term (imputation, checks, scaling, weight) compiles to up to ~400
   * bytes of bytecode, so 10 stay well below the JIT's 8000 (CompiledPlanTest measures it).
   */
  static final int CHUNK = 10;
  /** Labels up to this many are matched by a CASE chain; more by a hashed two-level lookup. */
  static final int CASE_LABELS = 16;

  private static final String INTERNAL = "__glm_";

  private final Map<String, VectorExpr> vectors = new HashMap<>();
  /**
   * Index columns of compiled stages, kept as expressions rather than added to the dataset: a
   * column read more than once stops Spark from merging projections, and then its inputs are
   * computed in the stage's main generated method instead of the small ones.
   */
  private final Map<String, Column> scalars = new java.util.LinkedHashMap<>();
  /**
   * Scalars that are never null or NaN (an imputer's output with a number as surrogate), whose
   * VectorAssembler checks could never fire and are left out of the generated code.
   */
  private final java.util.Set<String> alwaysNumbers = new java.util.HashSet<>();
  /** Scalars that are a StringIndexer's output, by how the indexer found them. */
  private final Map<String, Levels> levels = new HashMap<>();
  private Dataset<Row> df;
  private int fresh;

  private PipelineCompiler(Dataset<Row> input) {
    this.df = input;
  }

  /** The model's kind of output, which decides the scores table's columns. */
  public enum Kind { LINEAR, BINARY, MULTINOMIAL }

  /** @param last a pipeline's last stage */
  public static Kind kind(Stage last) {
    if (last instanceof Linear) {
      return Kind.LINEAR;
    }
    if (last instanceof Logistic lr) {
      return lr.numClasses() > 2 ? Kind.MULTINOMIAL : Kind.BINARY;
    }
    throw new UnsupportedStageException(last.describe(), "the last stage must be a linear or logistic regression");
  }

  /**
   * {@code input} with {@link Columns#SCORE}, {@link Columns#PREDICTION} (and for a multinomial model
   * {@link Columns#PROBABILITIES}) appended, plus internal columns the caller's final select drops.
   *
   * @throws UnsupportedStageException if a stage cannot be compiled exactly
   */
  public static Dataset<Row> score(FittedPlan plan, Dataset<Row> input) {
    PipelineCompiler c = new PipelineCompiler(input);
    List<Stage> stages = plan.stages();
    for (int i = 0; i < stages.size() - 1; i++) {
      c.stage(stages.get(i));
    }
    Stage last = plan.last();
    if (last instanceof Linear lin) {
      c.linear(lin);
    } else if (last instanceof Logistic lr) {
      c.logistic(lr);
    } else {
      throw new UnsupportedStageException(last.describe(), "the last stage must be a linear or logistic regression");
    }
    return c.df;
  }

  private void stage(Stage t) {
    if (t instanceof Imputer m) {
      impute(m);
    } else if (t instanceof SqlStatement sql) {
      // Plain SQL over the dataset already (checked by the no-UDF test).
      if (!scalars.isEmpty()) {
        df = df.withColumns(scalars);
        scalars.clear();
        alwaysNumbers.clear();
        levels.clear();
      }
      try {
        df = sql.transform(df);
      } catch (Exception e) {
        // Scala throws AnalysisException (a checked exception to Java) without declaring it.
        if (e instanceof AnalysisException) {
          throw new UnsupportedStageException(t.describe(), "reads a column the compiler keeps symbolic (" + e.getMessage() + ")");
        }
        throw e;
      }
    } else if (t instanceof Assembler a) {
      assemble(a);
    } else if (t instanceof Scaler s) {
      scale(s);
    } else if (t instanceof Buckets b) {
      bucketize(b);
    } else if (t instanceof Indexer s) {
      index(s);
    } else if (t instanceof OneHot o) {
      oneHot(o);
    } else {
      throw new UnsupportedStageException(t.describe(), "no compiled equivalent");
    }
  }

  // ---- feature stages ------------------------------------------------------------------

  /** ImputerModel.transform: null or {@code missingValue} becomes the surrogate, cast back. */
  private void impute(Imputer m) {
    String[] ins = m.inputCols().toArray(String[]::new);
    String[] outs = m.outputCols().toArray(String[]::new);
    Map<String, Column> added = new java.util.LinkedHashMap<>();
    java.util.Set<String> numbers = new java.util.HashSet<>();
    boolean nanIsMissing = Double.isNaN(m.missingValue());
    for (int i = 0; i < ins.length; i++) {
      DataType type = scalars.containsKey(ins[i]) ? DataTypes.DoubleType : df.schema().apply(ins[i]).dataType();
      Column ic = column(m, ins[i]).cast(DataTypes.DoubleType);
      Double surrogate = m.surrogates().get(i);
      // x = NaN is true in Spark SQL exactly when isnan(x) is, and isnan is the cheaper test.
      Column missing = nanIsMissing ? isnan(ic) : ic.equalTo(lit(m.missingValue()));
      added.put(outs[i], when(ic.isNull(), lit(surrogate)).when(missing, lit(surrogate)).otherwise(ic).cast(type));
      if (nanIsMissing && type.equals(DataTypes.DoubleType) && surrogate != null && !Double.isNaN(surrogate)) {
        numbers.add(outs[i]);
      }
    }
    defineScalars(added, numbers);
  }

  private void defineScalars(Map<String, Column> added, java.util.Set<String> numbers) {
    scalars.putAll(added);
    levels.keySet().removeAll(added.keySet());
    alwaysNumbers.removeAll(added.keySet());
    alwaysNumbers.addAll(numbers);
  }

  private void assemble(Assembler a) {
    String mode = a.handleInvalid();
    if (!mode.equals("error") && !mode.equals("keep")) {
      throw new UnsupportedStageException(a.describe(), "handleInvalid=" + mode);
    }
    boolean keep = mode.equals("keep");
    List<VectorExpr> parts = new ArrayList<>();
    for (String in : a.inputCols()) {
      VectorExpr v = vectors.get(in);
      if (v != null) {
        if (v.nullable()) {
          if (keep) {
            throw new UnsupportedStageException(a.describe(), "a nullable vector input with handleInvalid=keep");
          }
          v = new VectorExpr(failIfNull(v.segments(), "Encountered null while assembling a row"), false);
        }
        parts.add(v);
        continue;
      }
      Column x = column(a, in).cast(DataTypes.DoubleType);
      // MLlib checks top-level doubles only: a NaN or null fails the row unless kept. Written
      // so that x appears once: an expression used twice would be evaluated apart from the rest.
      Column fail = raise_error(lit("VectorAssembler: encountered null or NaN in " + in + " with handleInvalid = \"error\""));
      Column checked = scalars.containsKey(in) && alwaysNumbers.contains(in) ? x
          : keep ? coalesce(x, lit(Double.NaN)) : coalesce(nanvl(x, fail), fail);
      parts.add(new VectorExpr(List.of(new VectorExpr.Dense(List.of(checked))), false));
    }
    vectors.put(a.outputCol(), VectorExpr.concat(parts));
  }

  /** Slots that fail the row where the vector is null (each slot is null exactly then). */
  private static List<VectorExpr.Segment> failIfNull(List<VectorExpr.Segment> segments, String message) {
    List<VectorExpr.Segment> out = new ArrayList<>();
    for (VectorExpr.Segment s : segments) {
      if (s instanceof VectorExpr.Dense d) {
        out.add(new VectorExpr.Dense(d.values().stream().map(v -> coalesce(v, raise_error(lit(message)))).toList()));
      } else {
        VectorExpr.OneHot o = (VectorExpr.OneHot) s;
        out.add(new VectorExpr.OneHot(coalesce(o.index(), raise_error(lit(message))), o.size()));
      }
    }
    return out;
  }

  private void scale(Scaler s) {
    VectorExpr in = vectorInput(s, s.inputCol());
    double[] mean = FittedPlan.doubles(s.mean());
    double[] std = FittedPlan.doubles(s.std());
    boolean withMean = s.withMean();
    boolean withStd = s.withStd();
    List<Column> out = new ArrayList<>();
    List<Column> values = denseValues(s, in);
    for (int i = 0; i < values.size(); i++) {
      Column v = values.get(i);
      // MLlib multiplies by 1/std (0 for a constant column); the same double literal here.
      double factor = std[i] == 0.0 ? 0.0 : 1.0 / std[i];
      if (withMean) {
        v = v.minus(lit(mean[i]));
      }
      if (withStd) {
        v = v.multiply(lit(factor));
      }
      out.add(v);  // null where the input vector is null, as MLlib's UDF returns
    }
    vectors.put(s.outputCol(), new VectorExpr(List.of(new VectorExpr.Dense(out)), in.nullable()));
  }

  private List<Column> denseValues(Stage t, VectorExpr v) {
    List<Column> out = new ArrayList<>();
    for (VectorExpr.Segment s : v.segments()) {
      if (s instanceof VectorExpr.Dense d) {
        out.addAll(d.values());
      } else {
        VectorExpr.OneHot o = (VectorExpr.OneHot) s;
        if (o.size() > 1000) {
          throw new UnsupportedStageException(t.describe(), "densifying a one-hot block of " + o.size());
        }
        for (int i = 0; i < o.size(); i++) {
          out.add(when(o.index().equalTo(i), lit(1.0)).when(o.index().isNotNull(), lit(0.0)));
        }
      }
    }
    return out;
  }

  private void bucketize(Buckets b) {
    String mode = b.handleInvalid();
    if (!mode.equals("error") && !mode.equals("keep")) {
      throw new UnsupportedStageException(b.describe(), "handleInvalid=" + mode);
    }
    String[] ins = b.inputCols().toArray(String[]::new);
    String[] outs = b.outputCols().toArray(String[]::new);
    Map<String, Column> added = new java.util.LinkedHashMap<>();
    for (int i = 0; i < ins.length; i++) {
      Column x = column(b, ins[i]).cast(DataTypes.DoubleType);
      added.put(outs[i], bucket(x, b.splitsOf(i), mode.equals("keep")).cast(DataTypes.DoubleType));
    }
    defineScalars(added, java.util.Set.of());
  }

  /** Bucketizer.binarySearchForBuckets as one CASE expression. */
  static Column bucket(Column x, double[] s, boolean keepInvalid) {
    int n = s.length;
    Column nan = keepInvalid ? lit(n - 1)
        : raise_error(lit("Bucketizer encountered NaN value. To handle or skip NaNs, try setting Bucketizer.handleInvalid."));
    Column c = when(x.isNull(), lit(null).cast(DataTypes.IntegerType))
        .when(isnan(x), nan)
        .when(x.equalTo(lit(s[n - 1])), lit(n - 2))
        // After the equality above, SQL's > agrees with Java's order (zeros compare equal there).
        .when(lessInTotalOrder(x, s[0]).or(x.gt(lit(s[n - 1]))),
            raise_error(lit("Feature value out of Bucketizer bounds [" + s[0] + ", " + s[n - 1] + "]")));
    for (int j = 1; j < n - 1; j++) {
      c = c.when(lessInTotalOrder(x, s[j]), lit(j - 1));
    }
    return c.otherwise(lit(n - 2));
  }

  /**
   * {@code x < split} in the order of {@code java.util.Arrays.binarySearch}: as SQL's, except
   * that -0.0 is below 0.0.
   */
  private static Column lessInTotalOrder(Column x, double split) {
    if (split == 0.0 && Double.doubleToRawLongBits(split) == 0L) {
      // Only the zero's text tells -0.0 apart in Spark SQL (atan2 and division normalise it);
      // the AND evaluates it for zeros only.
      return x.lt(lit(0.0)).or(x.equalTo(lit(0.0)).and(x.cast(DataTypes.StringType).startsWith("-")));
    }
    return x.lt(lit(split));
  }

  private void index(Indexer s) {
    String mode = s.handleInvalid();
    if (!mode.equals("error") && !mode.equals("keep")) {
      throw new UnsupportedStageException(s.describe(), "handleInvalid=" + mode);
    }
    String[] ins = s.inputCols().toArray(String[]::new);
    String[] outs = s.outputCols().toArray(String[]::new);
    Map<String, Column> added = new java.util.LinkedHashMap<>();
    Map<String, Levels> found = new HashMap<>();
    for (int i = 0; i < ins.length; i++) {
      if (!scalars.containsKey(ins[i]) && !java.util.Arrays.asList(df.columns()).contains(ins[i])) {
        continue;  // MLlib skips (with a warning) an input column the dataset lacks
      }
      Column str = column(s, ins[i]).cast(DataTypes.StringType);
      Levels l = new Levels(str, s.labelsOf(i), mode.equals("keep"), "StringIndexer: unseen or null label in " + ins[i]
          + " with handleInvalid=error");
      added.put(outs[i], l.index().cast(DataTypes.DoubleType));
      found.put(outs[i], l);
    }
    defineScalars(added, java.util.Set.of());
    levels.putAll(found);
  }

  /**
   * A StringIndexer's lookup of {@code str} in {@code labels}, which gives a null or unseen
   * string index {@code labels.length} ({@code keep}) or fails the row with {@code failure}.
   */
  private record Levels(Column str, String[] labels, boolean keep, String failure) {
    Column index() {
      return slots(v -> v);
    }

    /** {@code slot(index)} in one lookup: a stage after the indexer folded into it. */
    Column slots(java.util.function.IntUnaryOperator slot) {
      int[] valueOf = java.util.stream.IntStream.range(0, labels.length).map(slot).toArray();
      return LevelLookup.lookup(str, labels, valueOf, keep ? lit(slot.applyAsInt(labels.length)) : raise_error(lit(failure)));
    }
  }

  private void oneHot(OneHot o) {
    String mode = o.handleInvalid();
    boolean keep = mode.equals("keep");
    String[] ins = o.inputCols().toArray(String[]::new);
    String[] outs = o.outputCols().toArray(String[]::new);
    boolean dropLast = o.dropLast();
    for (int i = 0; i < ins.length; i++) {
      int size = o.categorySizes().get(i);
      // The vector's width as OneHotEncoderModel sizes it: a slot for invalid values, the last one dropped.
      int width = size + (keep ? 1 : 0) - (dropLast ? 1 : 0);
      if (!vectors.containsKey(ins[i]) && levels.containsKey(ins[i])) {
        Column hot = hotSlots(o, ins[i], levels.get(ins[i]), size, width);
        vectors.put(outs[i], new VectorExpr(List.of(new VectorExpr.OneHot(hot, width)), false));
        continue;
      }
      Column invalid = keep ? lit(size)
          : raise_error(lit("OneHotEncoder: invalid value in " + ins[i] + "; set handleInvalid to keep"));
      Column label = column(o, ins[i]).cast(DataTypes.DoubleType);
      Column idx = when(label.isNull(), lit(null).cast(DataTypes.IntegerType))
          .when(label.geq(lit(0.0)).and(label.lt(lit((double) size))).and(isnan(label).unary_$bang()), label.cast(DataTypes.IntegerType))
          .otherwise(invalid);
      // An index at or past the width is the dropped category: no hot slot.
      Column hot = when(idx.geq(lit(width)), lit(width)).otherwise(idx);  // null for a null label
      vectors.put(outs[i], new VectorExpr(List.of(new VectorExpr.OneHot(hot, width)), true));
    }
  }

  /**
   * An indexer's output one-hot encoded as one lookup from the string straight to its hot slot,
   * so each label is matched once per row rather than each time the rule above reads the index.
   * MLlib requires the encoder's size to be the indexer's count of indices (its output's
   * metadata), so every index is below the size, and the rule reduces to: an index at or past
   * the width is the dropped category, no hot slot.
   */
  private static Column hotSlots(OneHot o, String in, Levels indexed, int size, int width) {
    int n = indexed.labels().length;
    int indices = indexed.keep() ? n + 1 : n;
    if (size != indices) {
      throw new UnsupportedStageException(o.describe(), "sized for " + size + " categories of " + in
          + ", where its StringIndexer gives " + indices + " (MLlib refuses this too)");
    }
    return indexed.slots(v -> Math.min(v, width));
  }

  // ---- models --------------------------------------------------------------------------

  private void linear(Linear m) {
    VectorExpr x = features(m, m.featuresCol());
    double[] w = FittedPlan.doubles(m.coefficients());
    requireWidth(m, x, w.length);
    Column value = linearForm(x, w, m.intercept(), m.sparse());
    df = df.withColumn(Columns.SCORE, value).withColumn(Columns.PREDICTION, Sql.column(Columns.SCORE));
  }

  private void logistic(Logistic lr) {
    VectorExpr x = features(lr, lr.featuresCol());
    List<List<Double>> coef = lr.coefficientRows();
    double[] intercepts = FittedPlan.doubles(lr.intercepts());
    requireWidth(lr, x, coef.get(0).size());
    int rows = coef.size();
    if (rows == 1) {
      // Binomial. MLlib: rawPrediction = [-m, m]; p0 = 1 / (1 + exp(m)); p1 = 1 - p0; the
      // prediction compares the margin with the threshold's logit.
      Column margin = materialize(linearForm(x, FittedPlan.doubles(coef.get(0)), intercepts[0], lr.sparse()));
      Column p = lit(1.0).minus(lit(1.0).divide(lit(1.0).plus(exp(margin))));
      output(p, when(javaGreater(margin, lit(rawThreshold(lr.threshold()))), lit(1)).otherwise(lit(0)), null);
      return;
    }
    if (lr.perClassThresholds()) {
      throw new UnsupportedStageException(lr.describe(), "per-class thresholds");
    }
    // Multinomial (also with two classes): softmax probabilities, prediction the argmax of the
    // margins (MLlib's raw2prediction), the threshold unused.
    List<Column> margins = new ArrayList<>();
    for (int k = 0; k < rows; k++) {
      margins.add(materialize(linearForm(x, FittedPlan.doubles(coef.get(k)), intercepts[k], lr.sparse())));
    }
    List<Column> probs = softmax(margins);
    Column prediction = argmax(margins)[0];
    if (rows == 2) {
      output(probs.get(1), prediction, null);
      return;
    }
    Column chosen = when(prediction.equalTo(lit(0)), probs.get(0));
    for (int k = 1; k < rows; k++) {
      chosen = chosen.when(prediction.equalTo(lit(k)), probs.get(k));
    }
    output(chosen, prediction, org.apache.spark.sql.functions.array(probs.toArray(Column[]::new)));
  }

  /**
   * Adds the score, the prediction and (if not null) the probabilities in one step: each step
   * analyzes the whole plan again, which for a wide model takes tens of milliseconds.
   */
  private void output(Column score, Column prediction, Column probabilities) {
    Map<String, Column> out = new java.util.LinkedHashMap<>();
    out.put(Columns.SCORE, score);
    out.put(Columns.PREDICTION, prediction);
    if (probabilities != null) {
      out.put(Columns.PROBABILITIES, probabilities);
    }
    df = df.withColumns(out);
  }

  /** The margin above which a binomial model predicts 1, as LogisticRegressionModel derives it. */
  static double rawThreshold(double t) {
    return t == 0.0 ? Double.NEGATIVE_INFINITY : t == 1.0 ? Double.POSITIVE_INFINITY : Math.log(t / (1.0 - t));
  }

  /**
   * {@code a > b} as Java compares doubles: false whenever either is NaN (Spark SQL orders NaN
   * above every number instead).
   */
  static Column javaGreater(Column a, Column b) {
    return a.gt(b).and(isnan(a).unary_$bang()).and(isnan(b).unary_$bang());
  }

  /**
   * MLlib's {@code DenseVector.argmax}: the first index whose value is greater than every value
   * before it, in Java's comparison. Returns {index, value}.
   */
  private Column[] argmax(List<Column> values) {
    Column index = lit(0);
    Column max = values.get(0);
    for (int k = 1; k < values.size(); k++) {
      Column better = materialize(javaGreater(values.get(k), max));
      index = materialize(when(better, lit(k)).otherwise(index));
      max = materialize(when(better, values.get(k)).otherwise(max));
    }
    return new Column[] {index, max};
  }

  /**
   * MLlib 3.5's {@code ml.impl.Utils.softmax}, step by step: the first +inf margin takes
   * probability 1.0 and every other slot becomes {@code 0.0 * margin} (BLAS {@code dscal}, so an
   * infinite or NaN margin gives NaN); otherwise {@code exp(m - max) * (1 / sum)} with the max
   * over non-NaN margins starting at {@code -Double.MAX_VALUE}.
   */
  private List<Column> softmax(List<Column> margins) {
    Column firstInfinite = null;
    for (int k = margins.size() - 1; k >= 0; k--) {
      Column isInf = margins.get(k).equalTo(lit(Double.POSITIVE_INFINITY));
      firstInfinite = firstInfinite == null ? when(isInf, lit(k)).otherwise(lit(-1))
          : when(isInf, lit(k)).otherwise(firstInfinite);
    }
    Column inf = materialize(firstInfinite);
    Column max = lit(-Double.MAX_VALUE);
    for (Column m : margins) {
      max = materialize(when(javaGreater(m, max), m).otherwise(max));
    }
    List<Column> e = new ArrayList<>();
    for (Column m : margins) {
      e.add(materialize(exp(m.minus(max))));
    }
    Column sum = e.get(0);
    for (int k = 1; k < e.size(); k++) {
      sum = sum.plus(e.get(k));
    }
    Column inverse = materialize(lit(1.0).divide(sum));
    List<Column> p = new ArrayList<>();
    for (int k = 0; k < margins.size(); k++) {
      Column onInfinite = when(inf.equalTo(lit(k)), lit(1.0)).otherwise(lit(0.0).multiply(margins.get(k)));
      p.add(materialize(when(inf.geq(lit(0)), onInfinite).otherwise(e.get(k).multiply(inverse))));
    }
    return p;
  }

  /**
   * {@code x · w + intercept}, summed in chunks of {@link #CHUNK} terms. MLlib's BLAS skips
   * the zero weights a sparse vector or matrix does not store, but multiplies stored ones (so
   * an infinite value times a zero weight is NaN there); {@code sparse} mirrors which.
   */
  private Column linearForm(VectorExpr x, double[] w, double intercept, boolean sparse) {
    List<Column> terms = new ArrayList<>();
    int offset = 0;
    for (VectorExpr.Segment s : x.segments()) {
      if (s instanceof VectorExpr.Dense d) {
        for (int i = 0; i < d.size(); i++) {
          if (!sparse || w[offset + i] != 0.0) {
            terms.add(d.values().get(i).multiply(lit(w[offset + i])));
          }
        }
      } else {
        VectorExpr.OneHot o = (VectorExpr.OneHot) s;
        double[] slice = new double[o.size() + 1];  // last entry: no hot slot
        boolean any = false;
        for (int i = 0; i < o.size(); i++) {
          slice[i] = w[offset + i];
          any |= slice[i] != 0.0;
        }
        if (any) {
          terms.add(lit(slice).apply(o.index()));
        }
      }
      offset += s.size();
    }
    Column sum = sumInChunks(terms);
    return sum == null ? lit(intercept) : sum.plus(lit(intercept));
  }

  private Column sumInChunks(List<Column> terms) {
    if (terms.isEmpty()) {
      return null;
    }
    if (terms.size() <= CHUNK) {
      return sum(terms);
    }
    List<Column> partials = new ArrayList<>();
    for (int from = 0; from < terms.size(); from += CHUNK) {
      partials.add(inItsOwnMethod(sum(terms.subList(from, Math.min(terms.size(), from + CHUNK)))));
    }
    // Not nested again: the sum of the partials is small code (one variable each), and a method
    // whose inputs exceed 255 JVM parameter slots would stop Spark splitting any of them.
    return sum(partials);
  }

  /**
   * {@code greatest(x, x)}, which is {@code x} exactly (NaN and -0.0 included). Whole-stage
   * codegen inlines a projection's expressions into one method unless they are common
   * subexpressions, which it evaluates once, each in a method of its own; a partial sum written
   * twice is one. (Splitting by projection does not work here: Spark splits an operator into
   * its own method only when its inputs fit in 255 JVM parameter slots, which a wide input does
   * not, and it merges single-use projections anyway.)
   */
  static Column inItsOwnMethod(Column x) {
    return greatest(x, x);
  }

  private static Column sum(List<Column> terms) {
    Column s = terms.get(0);
    for (int i = 1; i < terms.size(); i++) {
      s = s.plus(terms.get(i));
    }
    return s;
  }

  // ---- helpers -------------------------------------------------------------------------

  private VectorExpr features(Stage model, String col) {
    VectorExpr x = vectors.get(col);
    if (x == null) {
      throw new UnsupportedStageException(model.describe(), "features column " + col + " is not built by a compiled stage");
    }
    if (x.nullable()) {
      // MLlib's predictors fail on a null features vector; so does the compiled row.
      return new VectorExpr(failIfNull(x.segments(), "null features vector"), false);
    }
    return x;
  }

  private static void requireWidth(Stage model, VectorExpr x, int width) {
    if (x.size() != width) {
      throw new UnsupportedStageException(model.describe(), "features are " + x.size() + " wide, the model expects " + width);
    }
  }

  private VectorExpr vectorInput(Stage t, String col) {
    VectorExpr v = vectors.get(col);
    if (v == null) {
      throw new UnsupportedStageException(t.describe(), "input vector " + col + " is not built by a compiled stage");
    }
    return v;
  }

  /** A scalar input column of the dataset so far; vectors the compiler keeps are not. */
  private Column column(Stage t, String name) {
    if (vectors.containsKey(name)) {
      throw new UnsupportedStageException(t.describe(), "reads vector " + name + " as a scalar");
    }
    if (scalars.containsKey(name)) {
      return scalars.get(name);
    }
    DataType type;
    try {
      type = df.schema().apply(name).dataType();
    } catch (IllegalArgumentException e) {
      throw new UnsupportedStageException(t.describe(), "input column " + name + " not found");
    }
    if (!(type instanceof NumericType) && !(type instanceof BooleanType) && !type.equals(DataTypes.StringType)) {
      throw new UnsupportedStageException(t.describe(), "input column " + name + " of type " + type.simpleString());
    }
    return Sql.column(name);
  }

  /**
   * Gives {@code value} its own column and returns a reference to it. A column referenced more
   * than once stays a separate projection (Spark inlines it only where it is cheap), which both
   * avoids computing it twice and keeps each generated method small.
   */
  private Column materialize(Column value) {
    String name = INTERNAL + (fresh++);
    df = df.withColumn(name, value);
    return Sql.column(name);
  }
}
