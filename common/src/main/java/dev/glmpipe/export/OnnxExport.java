package dev.glmpipe.export;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import dev.glmpipe.Columns;
import dev.glmpipe.GlmpipeException;
import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.config.FeaturesConfig.CategoricalFeature;
import dev.glmpipe.config.FeaturesConfig.CrossFeature;
import dev.glmpipe.config.FeaturesConfig.DatePart;
import dev.glmpipe.config.FeaturesConfig.Impute;
import dev.glmpipe.config.FeaturesConfig.NumericFeature;
import dev.glmpipe.config.FeaturesConfig.TimestampFeature;
import dev.glmpipe.config.FeaturesConfig.Transform;
import dev.glmpipe.features.FeaturePipeline;
import dev.glmpipe.features.FittedPlan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.spark.ml.PipelineModel;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXOperator;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;
import org.tribuo.util.onnx.ONNXRef;

/**
 * A fitted {@link FeaturePipeline} plus its linear model as one ONNX-ML graph, built with
 * Tribuo's ONNX graph builder from the model's {@link FittedPlan} (imputation values, clip bounds, scaler
 * means and deviations, bucket splits, level lists, coefficients), all in double precision.
 *
 * <p>Inputs: one tensor {@code [batch, 1]} per input column, named after it. Numeric and boolean
 * columns are {@code double} (true = 1, false = 0, null = NaN); categorical and crossed columns
 * are {@code string} (the value as Spark casts it to a string; null = the empty string);
 * timestamp and date columns are {@code double} epoch seconds (a date at midnight UTC; null =
 * NaN). Output {@code score} {@code [batch, 1]} double: P(class 1) for logistic regression, the
 * prediction for linear regression: the {@code score} column of the scores table.
 *
 * <p>What ONNX cannot express fails the export naming the key: hashed features (MLlib's
 * FeatureHasher MurmurHash3 has no standard ONNX operator), timestamp parts in a time zone other
 * than UTC (daylight-saving rules are data, not arithmetic), a column used both as a number and
 * as a level, and models other than binary logistic or linear regression.
 */
public final class OnnxExport {
  /** The graph's output: the scores table's score column. */
  public static final String OUTPUT = Columns.SCORE;
  public static final int IR_VERSION = 8;

  /** How a caller feeds one input. */
  public enum InputKind { NUMBER, BOOLEAN, STRING, EPOCH_SECONDS }

  public record Input(String name, InputKind kind) {}

  public record Result(byte[] model, List<Input> inputs, int features) {}

  private final ONNXContext ctx = new ONNXContext();
  private final Map<String, ONNXPlaceholder> placeholders = new LinkedHashMap<>();
  private final Map<String, InputKind> kinds = new LinkedHashMap<>();
  private int counter;

  private OnnxExport() {}

  public static Result build(PipelineModel model, FeaturesConfig spec, String modelName, String version) {
    requireNoHashing(spec);  // before reading the model: nothing in it could change that
    return build(FittedPlan.of(model), spec, modelName, version);
  }

  /** @param plan the version's fitted pipeline (with or without slot names) */
  public static Result build(FittedPlan plan, FeaturesConfig spec, String modelName, String version) {
    return new OnnxExport().graph(plan, spec, modelName, version);
  }

  private static void requireNoHashing(FeaturesConfig spec) {
    if (!spec.hashedOrEmpty().isEmpty()) {
      throw unsupported("features.hashed[0] (" + spec.hashedOrEmpty().get(0).column() + ")",
          "MLlib's FeatureHasher (MurmurHash3) has no standard ONNX operator");
    }
  }

  private Result graph(FittedPlan plan, FeaturesConfig spec, String modelName, String version) {
    requireNoHashing(spec);
    FittedPlan.Stage last = plan.last();
    double[] weights;
    double intercept;
    boolean logistic;
    if (last instanceof FittedPlan.Logistic lr && lr.numClasses() == 2) {
      weights = FittedPlan.doubles(lr.coefficients());
      intercept = lr.intercept();
      logistic = true;
    } else if (last instanceof FittedPlan.Linear lin) {
      weights = FittedPlan.doubles(lin.coefficients());
      intercept = lin.intercept();
      logistic = false;
    } else {
      throw unsupported("model", last.mllibClass() + (last instanceof FittedPlan.Logistic ? " with more than two classes" : "")
          + " (only binary logistic and linear regression are exported)");
    }
    ctx.setName(modelName + "-" + version);

    List<ONNXRef<?>> blocks = new ArrayList<>();
    Map<String, Double> surrogates = plan.surrogates();
    List<NumericFeature> scaled = FeaturePipeline.scaled(spec);
    if (!scaled.isEmpty()) {
      FittedPlan.Scaler scaler = plan.first(FittedPlan.Scaler.class);
      double[] mean = FittedPlan.doubles(scaler.mean());
      double[] std = FittedPlan.doubles(scaler.std());
      double[] inv = new double[std.length];
      for (int i = 0; i < std.length; i++) {
        inv[i] = std[i] == 0.0 ? 0.0 : 1.0 / std[i];  // MLlib maps a constant column to 0
      }
      List<ONNXRef<?>> cols = new ArrayList<>();
      for (NumericFeature n : scaled) {
        cols.add(numeric(n, surrogates));
      }
      ONNXRef<?> block = concat(cols);
      block = op(ONNXOperators.MUL, "scale", op(ONNXOperators.SUB, "center", block, dconst("mean", mean)), dconst("inv_std", inv));
      blocks.add(block);
    }
    for (NumericFeature n : FeaturePipeline.plain(spec)) {
      blocks.add(numeric(n, surrogates));
    }
    for (String b : spec.booleanOrEmpty()) {
      ONNXRef<?> x = input(b, InputKind.BOOLEAN, "features.boolean");
      blocks.add(op(ONNXOperators.WHERE, "bool_" + b, op(OnnxOps.IS_NAN, "isnan", x), dconst("zero", 0.0), x));
    }
    List<NumericFeature> bucketed = FeaturePipeline.bucketed(spec);
    if (!bucketed.isEmpty()) {
      FittedPlan.Buckets buckets = plan.first(FittedPlan.Buckets.class);
      for (int i = 0; i < bucketed.size(); i++) {
        double[] s = buckets.splitsOf(i);
        double[] interior = java.util.Arrays.copyOfRange(s, 1, s.length - 1);
        ONNXRef<?> x = numeric(bucketed.get(i), surrogates);
        // Bucket index = how many interior splits are <= x, as MLlib's Bucketizer assigns it.
        ONNXRef<?> ge = op(ONNXOperators.CAST, "ge", Map.of("to", DataType.DOUBLE.getNumber()),
            op(ONNXOperators.GREATER_OR_EQUAL, "cmp", x, dconst("splits", interior)));
        ONNXRef<?> index = op(ONNXOperators.REDUCE_SUM, "bucket", Map.of("keepdims", 1), ge, lconst("axis", 1L));
        blocks.add(oneHot(index, s.length - 1));
      }
    }
    FittedPlan.Indexer indexer = hasLevels(spec) ? plan.first(FittedPlan.Indexer.class) : null;
    int level = 0;
    for (CategoricalFeature c : spec.categoricalOrEmpty()) {
      String[] ls = indexer.labelsOf(level++);
      ONNXRef<?> x = input(c.column(), InputKind.STRING, "features.categorical");
      blocks.add(oneHot(labelIndex(x, ls), ls.length + 1));
    }
    for (int t = 0; t < spec.timestampOrEmpty().size(); t++) {
      TimestampFeature ts = spec.timestampOrEmpty().get(t);
      if (!"UTC".equals(ts.timeZone()) && !"Z".equals(ts.timeZone())) {
        throw unsupported("features.timestamp[" + t + "].time_zone (" + ts.timeZone() + ")",
            "only UTC calendar parts are expressible as ONNX arithmetic");
      }
      for (DatePart part : ts.parts()) {
        String[] ls = indexer.labelsOf(level++);
        ONNXRef<?> secs = input(ts.column(), InputKind.EPOCH_SECONDS, "features.timestamp");
        blocks.add(oneHot(datePartIndex(secs, part, ls), ls.length + 1));
      }
    }
    for (int k = 0; k < spec.crossesOrEmpty().size(); k++) {
      String[] ls = indexer.labelsOf(level++);
      blocks.add(oneHot(crossIndex(spec.crossesOrEmpty().get(k), k, ls), ls.length + 1));
    }

    ONNXRef<?> features = concat(blocks);
    ONNXRef<?> w = op(OnnxOps.RESHAPE, "weights", dconst("coefficients", weights), lconst("shape", weights.length, 1L));
    ONNXRef<?> margin = op(ONNXOperators.ADD, "margin", op(OnnxOps.MATMUL, "dot", features, w), dconst("intercept", intercept));
    ONNXPlaceholder out = ctx.floatOutput(OUTPUT, 1);
    (logistic ? margin.apply(ONNXOperators.SIGMOID) : margin.apply(ONNXOperators.IDENTITY)).assignTo(out);

    OnnxMl.GraphProto graph = retype(ctx.buildGraph());
    OnnxMl.ModelProto proto = OnnxMl.ModelProto.newBuilder()
        .setIrVersion(IR_VERSION)
        .setProducerName("glmpipe")
        .setDomain("dev.glmpipe")
        .setModelVersion(1)
        .setDocString(modelName + " " + version + ": fitted feature pipeline + " + (logistic ? "logistic" : "linear") + " regression")
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OnnxOps.OPSET))
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain(OnnxOps.ML).setVersion(OnnxOps.ML_OPSET))
        .addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey("model").setValue(modelName))
        .addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey("version").setValue(version))
        .setGraph(graph)
        .build();
    List<Input> inputs = kinds.entrySet().stream().map(e -> new Input(e.getKey(), e.getValue())).toList();
    return new Result(proto.toByteArray(), inputs, weights.length);
  }

  // ---- numeric preparation, in FeaturePipeline's order: constant, clip, log1p, mean/median ----

  private ONNXRef<?> numeric(NumericFeature n, Map<String, Double> surrogates) {
    ONNXRef<?> x = input(n.column(), InputKind.NUMBER, "features.numeric");
    if (n.impute() == Impute.CONSTANT) {
      x = fillNaN(x, n.imputeValue());
    }
    if (n.clip() != null) {
      // Comparisons with NaN are false, so a missing value stays missing, as in the SQL CASE.
      ONNXRef<?> lo = dconst("lo", n.clip().get(0));
      ONNXRef<?> hi = dconst("hi", n.clip().get(1));
      x = op(ONNXOperators.WHERE, "clip_lo", op(ONNXOperators.LESS, "lt", x, lo), lo,
          op(ONNXOperators.WHERE, "clip_hi", op(ONNXOperators.GREATER, "gt", x, hi), hi, x));
    }
    if (n.transform() == Transform.LOG1P) {
      x = op(OnnxOps.LOG, "log1p", op(ONNXOperators.ADD, "plus1", x, dconst("one", 1.0)));
    }
    if (n.impute() != Impute.CONSTANT) {
      Double surrogate = surrogates.get(FeaturePipeline.numericCol(n));
      if (surrogate == null) {
        throw new IllegalStateException("fitted pipeline has no imputation value for " + n.column());
      }
      x = fillNaN(x, surrogate);
    }
    return x;
  }

  private ONNXRef<?> fillNaN(ONNXRef<?> x, double value) {
    return op(ONNXOperators.WHERE, "fill", op(OnnxOps.IS_NAN, "isnan", x), dconst("fill_value", value), x);
  }

  // ---- level features: an index into the fitted labels, the last index for "other" ----

  /** Index of each string in {@code labels}; anything else (incl. "" for null) the extra index. */
  private ONNXRef<?> labelIndex(ONNXRef<?> strings, String[] labels) {
    return op(OnnxOps.LABEL_ENCODER, "levels", Map.of(
        "keys_strings", labels,
        "values_int64s", IntStream.range(0, labels.length).toArray(),
        "default_int64", labels.length), strings);
  }

  /**
   * A calendar part of UTC epoch seconds, computed as Spark does (floor to whole seconds, days
   * since 1970-01-01, a Thursday), mapped to the fitted level order; NaN maps to "missing".
   */
  private ONNXRef<?> datePartIndex(ONNXRef<?> secs, DatePart part, String[] labels) {
    ONNXRef<?> value;
    List<String> names;
    switch (part) {
      case HOUR -> {
        value = pmod(floorDiv(secs, 3600), 24);
        names = IntStream.range(0, 24).mapToObj(h -> String.format(Locale.ROOT, "%02d", h)).toList();
      }
      case DAY_OF_WEEK -> {
        value = pmod(op(ONNXOperators.ADD, "thu", floorDiv(secs, 86400), dconst("three", 3.0)), 7);
        names = List.of("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun");
      }
      default -> {
        value = op(ONNXOperators.SUB, "month0", civilMonth(floorDiv(secs, 86400)), dconst("one", 1.0));
        names = List.of("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec");
      }
    }
    List<String> fitted = List.of(labels);
    long[] table = new long[names.size() + 1];
    for (int i = 0; i < names.size(); i++) {
      int at = fitted.indexOf(names.get(i));
      table[i] = at < 0 ? labels.length : at;
    }
    table[names.size()] = labels.length;
    ONNXRef<?> position = op(ONNXOperators.WHERE, "missing", op(OnnxOps.IS_NAN, "isnan", secs), dconst("missing", names.size()), value);
    return gather(lconst("part_levels", table), position);
  }

  /** The month (1..12) of a day number, by the civil-from-days algorithm (proleptic Gregorian). */
  private ONNXRef<?> civilMonth(ONNXRef<?> days) {
    ONNXRef<?> z = add(days, 719468);
    ONNXRef<?> era = floorDiv(z, 146097);
    ONNXRef<?> doe = op(ONNXOperators.SUB, "doe", z, mul(era, 146097));
    ONNXRef<?> yoeNum = op(ONNXOperators.SUB, "yoe_num",
        op(ONNXOperators.ADD, "yoe_a", op(ONNXOperators.SUB, "yoe_b", doe, floorDiv(doe, 1460)), floorDiv(doe, 36524)),
        floorDiv(doe, 146096));
    ONNXRef<?> yoe = floorDiv(yoeNum, 365);
    ONNXRef<?> doy = op(ONNXOperators.SUB, "doy", doe,
        op(ONNXOperators.SUB, "doy_a", op(ONNXOperators.ADD, "doy_b", mul(yoe, 365), floorDiv(yoe, 4)), floorDiv(yoe, 100)));
    ONNXRef<?> mp = floorDiv(add(mul(doy, 5), 2), 153);
    return op(ONNXOperators.WHERE, "month", op(ONNXOperators.LESS, "lt10", mp, dconst("ten", 10.0)), add(mp, 3), add(mp, -9));
  }

  /**
   * A cross level: each side's value indexed among the values that occur in the fitted levels,
   * then the pair looked up in a table of level indexes; unknown pairs are "other".
   */
  private ONNXRef<?> crossIndex(CrossFeature cross, int k, String[] labels) {
    List<String> first = new ArrayList<>();
    List<String> second = new ArrayList<>();
    int[][] pairs = new int[labels.length][];
    for (int i = 0; i < labels.length; i++) {
      String[] parts = labels[i].split(java.util.regex.Pattern.quote(FeaturesCross.SEPARATOR), -1);
      if (parts.length != 2) {
        throw unsupported("features.crosses[" + k + "]", "the level '" + labels[i] + "' contains the separator "
            + FeaturesCross.SEPARATOR + " more than once, so its two values cannot be told apart");
      }
      if (!first.contains(parts[0])) {
        first.add(parts[0]);
      }
      if (!second.contains(parts[1])) {
        second.add(parts[1]);
      }
      pairs[i] = new int[] {first.indexOf(parts[0]), second.indexOf(parts[1])};
    }
    int width = second.size() + 1;
    long[] table = new long[(first.size() + 1) * width];
    java.util.Arrays.fill(table, labels.length);
    for (int i = 0; i < labels.length; i++) {
      table[pairs[i][0] * width + pairs[i][1]] = i;
    }
    String path = "features.crosses[" + k + "]";
    ONNXRef<?> a = toDouble(labelIndex(input(cross.columns().get(0), InputKind.STRING, path), first.toArray(String[]::new)));
    ONNXRef<?> b = toDouble(labelIndex(input(cross.columns().get(1), InputKind.STRING, path), second.toArray(String[]::new)));
    return gather(lconst("cross_levels", table), op(ONNXOperators.ADD, "pair", mul(a, width), b));
  }

  /** The fixed separator of cross levels ("premium×west"), as LevelFeature writes it. */
  private static final class FeaturesCross {
    static final String SEPARATOR = "×";
  }

  private ONNXRef<?> oneHot(ONNXRef<?> index, int width) {
    double[] range = IntStream.range(0, width).asDoubleStream().toArray();
    return op(ONNXOperators.CAST, "onehot", Map.of("to", DataType.DOUBLE.getNumber()),
        op(OnnxOps.EQUAL, "eq", toDouble(index), dconst("slots", range)));
  }

  private ONNXRef<?> gather(ONNXRef<?> table, ONNXRef<?> position) {
    ONNXRef<?> i = op(ONNXOperators.CAST, "pos", Map.of("to", DataType.INT64.getNumber()), position);
    return op(ONNXOperators.GATHER, "lookup", Map.of("axis", 0), table, i);
  }

  // ---- small arithmetic helpers (all double) ----

  private ONNXRef<?> floorDiv(ONNXRef<?> x, double d) {
    return op(OnnxOps.FLOOR, "floor", op(ONNXOperators.DIV, "div", x, dconst("d", d)));
  }

  private ONNXRef<?> pmod(ONNXRef<?> x, double m) {
    return op(ONNXOperators.SUB, "pmod", x, mul(floorDiv(x, m), m));
  }

  private ONNXRef<?> mul(ONNXRef<?> x, double c) {
    return op(ONNXOperators.MUL, "mul", x, dconst("c", c));
  }

  private ONNXRef<?> add(ONNXRef<?> x, double c) {
    return op(ONNXOperators.ADD, "add", x, dconst("c", c));
  }

  private ONNXRef<?> toDouble(ONNXRef<?> x) {
    return op(ONNXOperators.CAST, "to_double", Map.of("to", DataType.DOUBLE.getNumber()), x);
  }

  private ONNXRef<?> concat(List<ONNXRef<?>> parts) {
    return parts.size() == 1 ? parts.get(0) : ctx.operation(ONNXOperators.CONCAT, parts, name("concat"), Map.of("axis", 1));
  }

  // ---- graph plumbing ----

  private ONNXRef<?> input(String column, InputKind kind, String path) {
    InputKind seen = kinds.get(column);
    boolean doubleTyped = kind != InputKind.STRING;
    if (seen != null && (seen != InputKind.STRING) != doubleTyped) {
      throw unsupported(path + " (" + column + ")", "the column is used both as a number and as a level; an ONNX input has one type");
    }
    kinds.putIfAbsent(column, kind);
    return placeholders.computeIfAbsent(column, c -> ctx.floatInput(c, 1));
  }

  private ONNXRef<?> op(ONNXOperator operator, String base, ONNXRef<?>... inputs) {
    return op(operator, base, Map.of(), inputs);
  }

  private ONNXRef<?> op(ONNXOperator operator, String base, Map<String, Object> attributes, ONNXRef<?>... inputs) {
    return ctx.operation(operator, List.of(inputs), name(base), attributes);
  }

  private ONNXRef<?> dconst(String base, double... values) {
    return ctx.array(name(base), values, false);
  }

  private ONNXRef<?> lconst(String base, long... values) {
    return ctx.array(name(base), values);
  }

  private String name(String base) {
    return base + "_" + (counter++);
  }

  /** Tribuo declares inputs and outputs as float; ours are double or string. */
  private OnnxMl.GraphProto retype(OnnxMl.GraphProto graph) {
    OnnxMl.GraphProto.Builder b = graph.toBuilder();
    for (int i = 0; i < b.getInputCount(); i++) {
      InputKind kind = kinds.get(b.getInput(i).getName());
      DataType type = kind == InputKind.STRING ? DataType.STRING : DataType.DOUBLE;
      b.getInputBuilder(i).getTypeBuilder().getTensorTypeBuilder().setElemType(type.getNumber());
    }
    for (int i = 0; i < b.getOutputCount(); i++) {
      b.getOutputBuilder(i).getTypeBuilder().getTensorTypeBuilder().setElemType(DataType.DOUBLE.getNumber());
    }
    return b.build();
  }

  private static boolean hasLevels(FeaturesConfig spec) {
    return !spec.categoricalOrEmpty().isEmpty() || !spec.timestampOrEmpty().isEmpty() || !spec.crossesOrEmpty().isEmpty();
  }

  private static GlmpipeException unsupported(String what, String why) {
    return GlmpipeException.usage("ONNX export cannot express " + what + ": " + why
        + " (set export.onnx: false to export JSON only)");
  }
}
