package dev.glmpipe.scorer;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds an {@link ExportedModel} from a parsed {@code coefficients.json}: the input columns
 * from {@code input_schema}, the vector's blocks from {@code preprocessing} in vector order, the
 * margins from {@code linear_model}. The slot names the blocks make must be the export's
 * {@code feature_order}, so a scorer that reads the preprocessing differently from how the
 * pipeline laid out the vector fails to load rather than scoring wrongly.
 */
final class ModelReader {
  private final Map<String, Object> doc;
  private final Map<String, Integer> inputIndex = new LinkedHashMap<>();
  private final List<ExportedModel.InputColumn> inputs = new ArrayList<>();
  private final List<String> slotNames = new ArrayList<>();
  private int dense;
  private int hot;

  private ModelReader(Map<String, Object> doc) {
    this.doc = doc;
  }

  static ExportedModel read(Map<String, Object> doc) {
    return new ModelReader(doc).build();
  }

  private ExportedModel build() {
    String name = Doc.string(doc, "model", "$");
    String version = Doc.string(doc, "version", "$");
    if (!doc.containsKey("linear_model") || !doc.containsKey("input_schema")) {
      throw new ExportFormatException("model '" + name + "' version " + version + " was exported before the scorer existed "
          + "(no linear_model or input_schema): train and export a new version to score it outside Spark");
    }
    List<Object> schema = Doc.list(doc, "input_schema", "$");
    for (int i = 0; i < schema.size(); i++) {
      Map<String, Object> f = Doc.object(schema.get(i), "$.input_schema[" + i + "]");
      String column = Doc.string(f, "name", "$.input_schema[" + i + "]");
      inputIndex.put(column, inputs.size());
      inputs.add(new ExportedModel.InputColumn(column, InputType.of(Doc.string(f, "type", "$.input_schema[" + i + "]"))));
    }
    Map<String, Object> pre = Doc.object(doc, "preprocessing", "$");
    List<VectorBlock> blocks = blocks(pre);
    List<String> order = Doc.strings(Doc.get(doc, "feature_order", "$"), "$.feature_order");
    if (!order.equals(slotNames)) {
      throw new ExportFormatException("the preprocessing makes slots " + slotNames + ", feature_order lists " + order);
    }

    Map<String, Object> lm = Doc.object(doc, "linear_model", "$");
    String family = Doc.string(lm, "family", "$.linear_model");
    Family f = switch (family) {
      case "linear" -> Family.LINEAR;
      case "binomial" -> Family.BINOMIAL;
      case "multinomial" -> Family.MULTINOMIAL;
      default -> throw new ExportFormatException("$.linear_model.family '" + family + "' is not linear, binomial or multinomial");
    };
    if (lm.containsKey("per_class_thresholds") && Doc.bool(lm, "per_class_thresholds", "$.linear_model")) {
      throw new ExportFormatException("per-class thresholds are not supported (the batch's compiled scorer has none either)");
    }
    double threshold = f == Family.BINOMIAL ? Doc.number(lm, "threshold", "$.linear_model") : Double.NaN;
    boolean sparse = Doc.bool(lm, "sparse", "$.linear_model");
    List<Object> rows = Doc.list(lm, "weights", "$.linear_model");
    double[] intercepts = Doc.numbers(Doc.get(lm, "intercepts", "$.linear_model"), "$.linear_model.intercepts");
    if (rows.isEmpty() || rows.size() != intercepts.length || (f != Family.MULTINOMIAL && rows.size() != 1)) {
      throw new ExportFormatException("$.linear_model has " + rows.size() + " weight rows and " + intercepts.length
          + " intercepts for a " + family + " model");
    }
    LinearForm[] margins = new LinearForm[rows.size()];
    for (int k = 0; k < margins.length; k++) {
      double[] w = Doc.numbers(rows.get(k), "$.linear_model.weights[" + k + "]");
      if (w.length != slotNames.size()) {
        throw new ExportFormatException("$.linear_model.weights[" + k + "] has " + w.length + " weights for "
            + slotNames.size() + " slots");
      }
      margins[k] = LinearForm.of(blocks, w, intercepts[k], sparse);
    }
    return new ExportedModel(name, version, f, threshold, inputs, blocks, dense, hot, margins, doc);
  }

  private List<VectorBlock> blocks(Map<String, Object> pre) {
    List<Object> numeric = Doc.list(pre, "numeric", "$.preprocessing");
    List<VectorBlock> scaled = new ArrayList<>();
    List<VectorBlock> plain = new ArrayList<>();
    List<NumericInput> bucketed = new ArrayList<>();
    List<double[]> splits = new ArrayList<>();
    List<String> scaledNames = new ArrayList<>();
    List<String> plainNames = new ArrayList<>();
    for (int i = 0; i < numeric.size(); i++) {
      String path = "$.preprocessing.numeric[" + i + "]";
      Map<String, Object> n = Doc.object(numeric.get(i), path);
      NumericInput input = numericInput(n, path);
      String slot = input.log1p() ? "log1p(" + input.column() + ")" : input.column();
      if (n.get("bucket_splits") != null) {
        bucketed.add(input);
        splits.add(Doc.numbers(n.get("bucket_splits"), path + ".bucket_splits"));
      } else if (n.get("scale") != null) {
        Map<String, Object> s = Doc.object(n, "scale", path);
        scaled.add(VectorBlock.Scaled.of(input, Doc.number(s, "mean", path + ".scale"), Doc.number(s, "std", path + ".scale"), -1));
        scaledNames.add(slot);
      } else {
        plain.add(new VectorBlock.Plain(input, -1));
        plainNames.add(slot);
      }
    }
    List<VectorBlock> out = new ArrayList<>();
    for (int i = 0; i < scaled.size(); i++) {
      VectorBlock.Scaled s = (VectorBlock.Scaled) scaled.get(i);
      out.add(new VectorBlock.Scaled(s.input(), s.mean(), s.factor(), dense++));
      slotNames.add(scaledNames.get(i));
    }
    for (int i = 0; i < plain.size(); i++) {
      out.add(new VectorBlock.Plain(((VectorBlock.Plain) plain.get(i)).input(), dense++));
      slotNames.add(plainNames.get(i));
    }
    for (String b : Doc.strings(Doc.get(pre, "boolean", "$.preprocessing"), "$.preprocessing.boolean")) {
      requireType(b, "boolean", InputType.BOOLEAN);
      out.add(new VectorBlock.Bool(input(b, "boolean"), dense++));
      slotNames.add(b);
    }
    for (int i = 0; i < bucketed.size(); i++) {
      double[] s = splits.get(i);
      if (s.length < 2) {
        throw new ExportFormatException("the bucket splits of " + bucketed.get(i).column() + " have fewer than 2 bounds");
      }
      out.add(new VectorBlock.Bucketed(bucketed.get(i), s, hot++));
      for (int j = 0; j + 1 < s.length; j++) {
        slotNames.add(bucketed.get(i).column() + "_bucket=[" + bound(s[j]) + "," + bound(s[j + 1]) + ")");
      }
    }
    List<Object> levels = Doc.list(pre, "levels", "$.preprocessing");
    for (int i = 0; i < levels.size(); i++) {
      out.add(levels(Doc.object(levels.get(i), "$.preprocessing.levels[" + i + "]"), "$.preprocessing.levels[" + i + "]"));
    }
    List<Object> hashed = Doc.list(pre, "hashed", "$.preprocessing");
    for (int i = 0; i < hashed.size(); i++) {
      String path = "$.preprocessing.hashed[" + i + "]";
      Map<String, Object> h = Doc.object(hashed.get(i), path);
      List<String> columns = Doc.strings(Doc.get(h, "columns", path), path + ".columns");
      if (columns.size() != 1) {
        throw new ExportFormatException(path + ".columns must name one column");
      }
      String column = columns.get(0);
      int buckets = (int) Doc.number(h, "buckets", path);
      int seed = (int) Doc.number(h, "seed", path);
      requireCategoricalType(column, "hashed");
      out.add(new VectorBlock.Hashed(column, input(column, "hashed"), buckets, seed, hot++));
      for (int j = 0; j < buckets; j++) {
        slotNames.add("hash(" + column + ")[" + j + "]");
      }
    }
    return out;
  }

  private NumericInput numericInput(Map<String, Object> n, String path) {
    String column = Doc.string(n, "column", path);
    InputType type = inputs.get(input(column, "numeric")).type();
    if (!type.numeric()) {
      throw new ExportFormatException(path + ": column " + column + " is " + type + ", not a number");
    }
    String impute = Doc.string(n, "impute", path);
    Double value = Doc.optionalNumber(n, "impute_value", path);
    boolean constant = impute.equals("constant");
    if (!constant && !impute.equals("mean") && !impute.equals("median")) {
      throw new ExportFormatException(path + ".impute '" + impute + "' is not mean, median or constant");
    }
    double[] clip = n.get("clip") == null ? null : Doc.numbers(n.get("clip"), path + ".clip");
    String transform = Doc.string(n, "transform", path);
    if (!transform.equals("none") && !transform.equals("log1p")) {
      throw new ExportFormatException(path + ".transform '" + transform + "' is not none or log1p");
    }
    return new NumericInput(column, input(column, "numeric"), constant ? value : null, clip != null,
        clip == null ? 0 : clip[0], clip == null ? 0 : clip[1], transform.equals("log1p"), !constant, constant ? null : value);
  }

  private VectorBlock levels(Map<String, Object> l, String path) {
    String name = Doc.string(l, "name", path);
    String kind = Doc.string(l, "kind", path);
    List<String> columns = Doc.strings(Doc.get(l, "columns", path), path + ".columns");
    List<String> labels = Doc.strings(Doc.get(l, "levels", path), path + ".levels");
    String other = Doc.string(l, "other_level", path);
    VectorBlock.LevelValue value = switch (kind) {
      case "categorical" -> {
        requireCategoricalType(columns.get(0), name);
        yield new VectorBlock.Categorical(input(columns.get(0), name));
      }
      case "cross" -> {
        if (columns.size() != 2) {
          throw new ExportFormatException(path + ".columns: a cross needs two columns");
        }
        requireCategoricalType(columns.get(0), name);
        requireCategoricalType(columns.get(1), name);
        yield new VectorBlock.Cross(input(columns.get(0), name), input(columns.get(1), name));
      }
      case "date_part" -> {
        String part = Doc.string(l, "part", path);
        InputType type = inputs.get(input(columns.get(0), name)).type();
        if (type != InputType.TIMESTAMP && !(type == InputType.DATE && !part.equals("hour"))) {
          throw new ExportFormatException(path + ": part " + part + " of a " + type + " column");
        }
        ZoneId zone;
        try {
          zone = ZoneId.of(Doc.string(l, "time_zone", path));
        } catch (DateTimeException e) {
          throw new ExportFormatException(path + ".time_zone: " + e.getMessage());
        }
        yield new VectorBlock.DatePart(input(columns.get(0), name), part, zone);
      }
      default -> throw new ExportFormatException(path + ".kind '" + kind + "' is not categorical, date_part or cross");
    };
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < labels.size(); i++) {
      index.putIfAbsent(labels.get(i), i);
      slotNames.add(name + "=" + labels.get(i));
    }
    slotNames.add(name + "=" + other);
    return new VectorBlock.Levels(value, Map.copyOf(index), labels.size(), hot++);
  }

  private int input(String column, String feature) {
    Integer i = inputIndex.get(column);
    if (i == null) {
      throw new ExportFormatException("feature " + feature + " reads column " + column + ", which input_schema does not list");
    }
    return i;
  }

  private void requireType(String column, String feature, InputType type) {
    InputType t = inputs.get(input(column, feature)).type();
    if (t != type) {
      throw new ExportFormatException("feature " + feature + " reads " + column + " as " + type + ", input_schema says " + t);
    }
  }

  /** A level or hashed column: a string, an integer or a boolean, whose string Spark and Java write alike. */
  private void requireCategoricalType(String column, String feature) {
    InputType t = inputs.get(input(column, feature)).type();
    if (t != InputType.STRING && t != InputType.BOOLEAN && !t.integral()) {
      throw new ExportFormatException("feature " + feature + " reads " + column + " of type " + t
          + " as a level; the scorer supports strings, integers and booleans there");
    }
  }

  private static String bound(double v) {
    return v == Double.NEGATIVE_INFINITY ? "-inf" : v == Double.POSITIVE_INFINITY ? "inf" : Double.toString(v);
  }
}
