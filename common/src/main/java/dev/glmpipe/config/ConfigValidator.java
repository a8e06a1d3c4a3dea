package dev.glmpipe.config;

import dev.glmpipe.config.DatasetConfig.ColumnContract;
import dev.glmpipe.config.DatasetConfig.ColumnType;
import dev.glmpipe.config.ModelConfig.ModelType;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Cross-field rules that types alone cannot express; each failure names the key path. */
public final class ConfigValidator {
  /** Metrics evaluate computes, per model type; thresholds may only name these. */
  public static final Map<ModelType, Set<String>> METRICS = Map.of(
      // Binary and multiclass classifiers share the type; each computes its own subset.
      ModelType.LOGISTIC, Set.of("auc_roc", "auc_pr", "log_loss", "brier", "accuracy", "precision", "recall", "f1", "ks",
          "weighted_f1"),
      ModelType.LINEAR, Set.of("rmse", "mae", "r2", "mape"));

  private ConfigValidator() {}

  public static void validate(GlmpipeConfig c) {
    require(!c.storage().root().isBlank(), "storage.root", "must not be empty");
    validateContract(c.dataset());
    validateFeatures(c);
    validateModel(c.model());
    validateLabel(c);
    validateTrain(c);
    validateEvaluate(c);
    require(c.exportOrDefault().parityRows() >= 1 && c.exportOrDefault().parityRows() <= 100_000, "export.parity_rows",
        "must be between 1 and 100000");
    require(c.exportOrDefault().maxAbsDiff() > 0, "export.max_abs_diff", "must be positive");
    for (int i = 0; i < c.score().passThroughOrEmpty().size(); i++) {
      requireColumn(c.dataset(), c.score().passThroughOrEmpty().get(i), "score.pass_through_columns[" + i + "]");
    }
    require(c.score().parityRows() >= 0, "score.parity_rows", "must not be negative (0 skips the parity check)");
    require(c.datagen().rowsPerDay() >= 1, "datagen.rows_per_day", "must be at least 1");
    require(c.datagen().malformedFraction() >= 0 && c.datagen().malformedFraction() <= 0.5,
        "datagen.malformed_fraction", "must be between 0 and 0.5");
  }

  private static void validateContract(DatasetConfig d) {
    List<ColumnContract> columns = d.contract().columns();
    require(!columns.isEmpty(), "dataset.contract.columns", "must list at least one column");
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < columns.size(); i++) {
      ColumnContract col = columns.get(i);
      String path = "dataset.contract.columns[" + i + "]";
      require(seen.add(col.name()), path + ".name", "column '" + col.name() + "' is declared twice");
      if (col.min() != null || col.max() != null) {
        require(col.type().isNumeric(), path + (col.min() != null ? ".min" : ".max"),
            "a range applies only to integer, long or double columns, not " + col.type().name().toLowerCase());
      }
      if (col.min() != null && col.max() != null) {
        require(col.min() <= col.max(), path + ".min", "must not exceed max (" + col.max() + ")");
      }
      if (col.allowed() != null) {
        require(col.type() == ColumnType.STRING || col.type() == ColumnType.INTEGER || col.type() == ColumnType.LONG,
            path + ".allowed", "allowed values apply only to string, integer or long columns");
        require(!col.allowed().isEmpty(), path + ".allowed", "must list at least one value");
        for (int j = 0; j < col.allowed().size() && col.type() != ColumnType.STRING; j++) {
          require(col.allowed().get(j).trim().matches("-?[0-9]+"), path + ".allowed[" + j + "]",
              "'" + col.allowed().get(j) + "' is not a whole number, as a " + col.type().name().toLowerCase() + " column needs");
        }
      }
      if (col.pattern() != null) {
        require(col.type() == ColumnType.STRING, path + ".pattern", "a pattern applies only to string columns");
        try {
          Pattern.compile(col.pattern());
        } catch (PatternSyntaxException e) {
          throw new ConfigException(path + ".pattern", "is not a valid regular expression: " + e.getDescription());
        }
      }
      if (col.format() != null) {
        require(col.type() == ColumnType.DATE || col.type() == ColumnType.TIMESTAMP,
            path + ".format", "a format applies only to date and timestamp columns");
      }
    }
    validateUniqueKey(d);
    double f = d.contract().maxQuarantineFraction();
    require(f >= 0 && f <= 1, "dataset.contract.max_quarantine_fraction", "must be between 0 and 1");
    require(!d.keyColumns().isEmpty(), "dataset.key_columns", "must name at least one column");
    for (int i = 0; i < d.keyColumns().size(); i++) {
      requireColumn(d, d.keyColumns().get(i), "dataset.key_columns[" + i + "]");
    }
    requireColumn(d, d.label(), "dataset.label");
  }

  private static void validateUniqueKey(DatasetConfig d) {
    DatasetConfig.UniqueKey unique = d.contract().unique();
    if (unique == null) {
      return;
    }
    require(!unique.columns().isEmpty(), "dataset.contract.unique.columns", "must name at least one column");
    for (int i = 0; i < unique.columns().size(); i++) {
      String path = "dataset.contract.unique.columns[" + i + "]";
      ColumnContract col = requireColumn(d, unique.columns().get(i), path);
      require(!col.isNullable(), path, "key column '" + col.name() + "' must be declared nullable: false");
    }
    if (unique.keep() == DatasetConfig.Keep.NONE) {
      return;
    }
    require(unique.orderBy() != null, "dataset.contract.unique.order_by",
        "is required when keep is " + unique.keep().name().toLowerCase());
    ColumnContract order = requireColumn(d, unique.orderBy(), "dataset.contract.unique.order_by");
    require(order.type() != ColumnType.BOOLEAN, "dataset.contract.unique.order_by", "cannot order by a boolean column");
  }

  private static void validateFeatures(GlmpipeConfig c) {
    FeatureSpecValidator.validate(c.features(), c.dataset());
  }

  /** The label must be usable before any data is read: a bad one would fail mid-training. */
  private static void validateLabel(GlmpipeConfig c) {
    ColumnContract label = c.dataset().column(c.dataset().label());
    require(!label.isNullable(), "dataset.label", "label column '" + label.name() + "' must be declared nullable: false");
    require(label.type().isNumeric() || label.type() == ColumnType.BOOLEAN, "dataset.label",
        "label column '" + label.name() + "' is " + label.type().name().toLowerCase() + "; it must be numeric or boolean");
    if (c.model().type() == ModelConfig.ModelType.LOGISTIC && label.type() != ColumnType.BOOLEAN) {
      boolean binary = label.allowed() != null && Set.of("0", "1").containsAll(
          label.allowed().stream().map(String::trim).toList());
      require(binary, "dataset.label", "a logistic model needs a boolean label or one whose contract says allowed: [\"0\", \"1\"]");
    }
  }

  private static void validateModel(ModelConfig m) {
    require(m.name().matches("[A-Za-z0-9][A-Za-z0-9_.-]*"), "model.name",
        "must be letters, digits, '_', '.', '-' (it becomes a directory name), got '" + m.name() + "'");
    require(m.maxIter() >= 1, "model.max_iter", "must be at least 1");
    require(m.regParam() >= 0, "model.reg_param", "must be >= 0");
    require(m.elasticNetParam() >= 0 && m.elasticNetParam() <= 1, "model.elastic_net_param", "must be between 0 and 1");
    require(m.tol() > 0, "model.tol", "must be > 0");
    require(m.threshold() > 0 && m.threshold() < 1, "model.threshold", "must be between 0 and 1 (exclusive)");
  }

  private static void validateTrain(GlmpipeConfig c) {
    double f = c.train().holdout().fraction();
    require(f > 0 && f < 1, "train.holdout.fraction", "must be between 0 and 1 (exclusive)");
    requireColumn(c.dataset(), c.train().holdout().column(), "train.holdout.column");
  }

  private static void validateEvaluate(GlmpipeConfig c) {
    EvaluateConfig e = c.evaluate();
    Set<String> known = METRICS.get(c.model().type());
    Map<String, Map<String, Double>> keyed = new java.util.LinkedHashMap<>();
    keyed.put("minimum", e.minimumOrEmpty());
    keyed.put("maximum", e.maximumOrEmpty());
    keyed.put("max_degradation", e.maxDegradationOrEmpty());
    keyed.forEach((section, metrics) -> metrics.forEach((key, value) -> {
      require(known.contains(key), "evaluate." + section + "." + key, "unknown metric for a " + c.model().type().name().toLowerCase()
          + " model (known: " + String.join(", ", new java.util.TreeSet<>(known)) + ")");
      require(value != null && !value.isNaN(), "evaluate." + section + "." + key, "must be a number");
    }));
    e.maxDegradationOrEmpty().forEach((key, delta) ->
        require(delta >= 0, "evaluate.max_degradation." + key, "must not be negative (it is how much worse than the champion is allowed)"));
    for (int i = 0; i < e.slicesOrEmpty().size(); i++) {
      requireColumn(c.dataset(), e.slicesOrEmpty().get(i), "evaluate.slices[" + i + "]");
    }
    require(e.minSliceRows() >= 1, "evaluate.min_slice_rows", "must be at least 1");
    if (e.threshold().value() != null) {
      require(e.threshold().value() > 0 && e.threshold().value() < 1, "evaluate.threshold.value", "must be between 0 and 1 (exclusive)");
      require(e.threshold().mode() == EvaluateConfig.ThresholdMode.FIXED, "evaluate.threshold.value",
          "applies only with mode: fixed (max_f1 chooses its own)");
    }
    require(e.bootstrap().replicates() >= 0 && e.bootstrap().replicates() <= 10_000, "evaluate.bootstrap.replicates",
        "must be between 0 (off) and 10000");
    require(e.bootstrap().confidence() > 0 && e.bootstrap().confidence() < 1, "evaluate.bootstrap.confidence",
        "must be between 0 and 1 (exclusive)");
    require(e.bootstrap().maxRows() >= 100, "evaluate.bootstrap.max_rows", "must be at least 100");
  }

  static ColumnContract requireColumn(DatasetConfig d, String name, String path) {
    ColumnContract col = d.column(name);
    if (col == null) {
      throw new ConfigException(path, "column '" + name + "' is not declared in dataset.contract.columns");
    }
    return col;
  }

  private static void require(boolean ok, String path, String problem) {
    if (!ok) {
      throw new ConfigException(path, problem);
    }
  }
}
