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
    require(c.score().replacedRunsGraceMinutes() >= 0, "score.replaced_runs_grace_minutes", "must not be negative");
    validateIceberg(c.storage().iceberg());
    require(c.score().parityRows() >= 0, "score.parity_rows", "must not be negative (0 skips the parity check)");
    require(c.datagen().rowsPerDay() >= 1, "datagen.rows_per_day", "must be at least 1");
    require(c.datagen().malformedFraction() >= 0 && c.datagen().malformedFraction() <= 0.5,
        "datagen.malformed_fraction", "must be between 0 and 0.5");
    validateDatagen(c.datagen());
    validateMonitor(c.monitorOrDefault());
    validateMetrics(c.metricsOrDefault());
  }

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** Names that become SQL identifiers, and maintenance figures that keep something. */
  private static void validateIceberg(IcebergConfig i) {
    require(IDENTIFIER.matcher(i.catalog()).matches(), "storage.iceberg.catalog", "must be a name like glmpipe (letters, digits, _)");
    require(IDENTIFIER.matcher(i.namespace()).matches(), "storage.iceberg.namespace", "must be a name like glmpipe (letters, digits, _)");
    require(!i.catalog().equalsIgnoreCase("spark_catalog") || i.properties().containsKey("type"), "storage.iceberg.catalog",
        "spark_catalog needs storage.iceberg.properties.type (hive or hadoop): it wraps Spark's own catalog");
    IcebergConfig.Maintenance m = i.maintenance();
    require(m.expireAfterDays() >= 1, "storage.iceberg.maintenance.expire_after_days", "must be at least 1 (time travel to yesterday needs it)");
    require(m.retainLast() >= 1, "storage.iceberg.maintenance.retain_last", "must be at least 1");
    require(m.targetFileSizeMb() >= 1, "storage.iceberg.maintenance.target_file_size_mb", "must be at least 1");
    require(m.minInputFiles() >= 2, "storage.iceberg.maintenance.min_input_files", "must be at least 2");
  }

  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** The Pushgateway's URL and the names (never values) of the variables holding its credentials. */
  private static void validateMetrics(MetricsConfig m) {
    if (m.pushgateway() != null) {
      require(m.pushgateway().matches("https?://[^/\\s]+(/.*)?"), "metrics.pushgateway",
          "must be an http:// or https:// URL, e.g. http://pushgateway:9091");
      require(!m.pushgateway().matches("https?://[^/]*@.*"), "metrics.pushgateway",
          "must not carry credentials: name their environment variables in metrics.username_env and metrics.password_env");
    }
    requireEnvName(m.usernameEnv(), "metrics.username_env");
    requireEnvName(m.passwordEnv(), "metrics.password_env");
    requireEnvName(m.bearerTokenEnv(), "metrics.bearer_token_env");
    require((m.usernameEnv() == null) == (m.passwordEnv() == null), "metrics.password_env",
        "basic auth needs both metrics.username_env and metrics.password_env");
    require(m.usernameEnv() == null || m.bearerTokenEnv() == null, "metrics.bearer_token_env",
        "choose basic auth (username_env, password_env) or a bearer token, not both");
  }

  private static void requireEnvName(String value, String key) {
    require(value == null || ENV_NAME.matcher(value).matches(), key,
        "must name an environment variable (letters, digits, _), not hold a credential");
  }

  /** Bins, bands and the label window: values that would make every verdict meaningless. */
  private static void validateMonitor(MonitorConfig m) {
    require(m.bins() >= 2 && m.bins() <= 100, "monitor.bins", "must be between 2 and 100");
    require(m.learnedK() > 0 && m.learnedK() <= 10, "monitor.learned_k", "must be above 0 and at most 10");
    m.bands().forEach((metric, band) -> validateBand("monitor.bands." + metric, band));
    m.features().forEach((feature, bands) ->
        bands.forEach((metric, band) -> validateBand("monitor.features." + feature + "." + metric, band)));
    MonitorConfig.LabelsConfig l = m.labels();
    require(l.minAgeDays() >= 0, "monitor.labels.min_age_days", "must not be negative");
    require(l.maxAgeDays() >= l.minAgeDays() && l.maxAgeDays() <= 3660, "monitor.labels.max_age_days",
        "must be at least min_age_days and at most 3660");
    require(java.util.List.of("csv", "parquet", "json").contains(l.format()), "monitor.labels.format",
        "must be csv, parquet or json");
  }

  private static void validateBand(String path, MonitorConfig.Band band) {
    String metric = path.substring(path.lastIndexOf('.') + 1);
    require(MonitorConfig.BANDED_METRICS.contains(metric), path,
        "unknown metric (metrics with bands: " + String.join(", ", MonitorConfig.BANDED_METRICS) + ")");
    require(band.warn() >= 0 && band.warn() <= band.alert(), path, "needs 0 <= warn <= alert");
  }

  /**
   * The shape of datagen's drift and label feed: which keys each drift kind takes and sane
   * numbers. Whether a column, level or coefficient is one the generator knows is the
   * generator's to say ({@code ChurnGenerator.check}, run by the datagen job before Spark starts).
   */
  private static void validateDatagen(DatagenConfig d) {
    for (int i = 0; i < d.driftOrEmpty().size(); i++) {
      DatagenConfig.Drift drift = d.driftOrEmpty().get(i);
      String path = "datagen.drift[" + i + "]";
      String kind = drift.kind().name().toLowerCase(java.util.Locale.ROOT);
      boolean shift = drift.kind() == DatagenConfig.DriftKind.SHIFT;
      boolean mix = drift.kind() == DatagenConfig.DriftKind.MIX;
      boolean concept = drift.kind() == DatagenConfig.DriftKind.CONCEPT;
      require(drift.column() != null || concept, path + ".column", "is required when kind is " + kind);
      require(drift.column() == null || !concept, path + ".column", "applies only to kind: shift or mix");
      require(drift.by() != null || !shift, path + ".by", "is required when kind is shift");
      require(drift.by() == null || shift, path + ".by", "applies only to kind: shift");
      require(drift.weights() != null || !mix, path + ".weights", "is required when kind is mix");
      require(drift.weights() == null || mix, path + ".weights", "applies only to kind: mix");
      require(drift.coefficients() != null || !concept, path + ".coefficients", "is required when kind is concept");
      require(drift.coefficients() == null || concept, path + ".coefficients", "applies only to kind: concept");
      if (mix) {
        require(!drift.weights().isEmpty(), path + ".weights", "must give at least one level a weight");
        drift.weights().forEach((level, w) -> require(w >= 0, path + ".weights." + level, "must not be negative, got " + w));
        require(drift.weights().values().stream().mapToDouble(Double::doubleValue).sum() > 0, path + ".weights",
            "must not all be zero");
      }
      if (concept) {
        require(!drift.coefficients().isEmpty(), path + ".coefficients", "must override at least one coefficient");
      }
    }
    if (d.labels() != null) {
      require(d.labels().delayDays() >= 0 && d.labels().delayDays() <= 3660, "datagen.labels.delay_days",
          "must be between 0 (labels arrive the same day) and 3660");
    }
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
    ModelConfig m = c.model();
    if (m.type() != ModelConfig.ModelType.LOGISTIC) {
      return;
    }
    List<Integer> classes = labelClasses(label);
    require(classes != null, "dataset.label", "a logistic model needs a boolean label or one whose contract lists its classes, "
        + "e.g. allowed: [\"0\", \"1\"] (or [\"0\", \"1\", \"2\"] for a multinomial model)");
    boolean binary = classes.stream().allMatch(k -> k == 0 || k == 1);
    if (m.family() == ModelConfig.Family.BINOMIAL) {
      require(binary, "model.family", "binomial needs a 0/1 label, but dataset.label '" + label.name() + "' allows " + classes
          + " (use family: multinomial or auto)");
    }
    if (m.classWeight() != null && !m.classWeight().balanced()) {
      for (String key : m.classWeight().weights().keySet()) {
        Integer k = classIndex(key);
        require(k != null && classes.contains(k), "model.class_weight." + key,
            "is not a class of dataset.label '" + label.name() + "' (classes: " + classes + ")");
      }
    }
  }

  /**
   * The class indexes a logistic label can take: 0 and 1 for a boolean, else the contract's
   * allowed values, which must be whole numbers from 0 (MLlib's class indexes); null if the
   * contract does not say.
   */
  public static List<Integer> labelClasses(ColumnContract label) {
    if (label.type() == ColumnType.BOOLEAN) {
      return List.of(0, 1);
    }
    if (label.allowed() == null || label.allowed().isEmpty()) {
      return null;
    }
    List<Integer> out = new java.util.ArrayList<>();
    for (String v : label.allowed()) {
      Integer k = classIndex(v);
      if (k == null) {
        return null;
      }
      out.add(k);
    }
    return out.stream().distinct().sorted().toList();
  }

  /** {@code "2"} → 2; anything that is not a whole number from 0 → null. */
  static Integer classIndex(String text) {
    String t = text.trim();
    if (t.equalsIgnoreCase("true")) {
      return 1;
    }
    if (t.equalsIgnoreCase("false")) {
      return 0;
    }
    return t.matches("[0-9]{1,6}") ? Integer.parseInt(t) : null;
  }

  private static void validateModel(ModelConfig m) {
    require(m.name().matches("[A-Za-z0-9][A-Za-z0-9_.-]*"), "model.name",
        "must be letters, digits, '_', '.', '-' (it becomes a directory name), got '" + m.name() + "'");
    require(m.maxIter() >= 1, "model.max_iter", "must be at least 1");
    require(m.regParam() >= 0, "model.reg_param", "must be >= 0");
    require(m.elasticNetParam() >= 0 && m.elasticNetParam() <= 1, "model.elastic_net_param", "must be between 0 and 1");
    require(m.tol() > 0, "model.tol", "must be > 0");
    require(m.threshold() > 0 && m.threshold() < 1, "model.threshold", "must be between 0 and 1 (exclusive)");
    boolean logistic = m.type() == ModelType.LOGISTIC;
    require(logistic || m.family() == ModelConfig.Family.AUTO, "model.family", "applies only to logistic models");
    require(logistic || m.classWeight() == null, "model.class_weight", "applies only to logistic models");
    require(m.solver() != ModelConfig.Solver.NORMAL || !logistic, "model.solver",
        "normal (the normal equation) solves linear models only; a logistic model uses auto or sgd");
    require(m.solver() != ModelConfig.Solver.SGD || m.family() != ModelConfig.Family.MULTINOMIAL, "model.solver",
        "sgd fits binomial logistic and linear models; a multinomial model uses auto");
    ModelConfig.SgdConfig sgd = m.sgd();
    require(sgd.stepSize() > 0, "model.sgd.step_size", "must be > 0");
    require(sgd.miniBatchFraction() > 0 && sgd.miniBatchFraction() <= 1, "model.sgd.mini_batch_fraction", "must be in (0, 1]");
    require(sgd.iterations() >= 1, "model.sgd.iterations", "must be at least 1");
    require(sgd.convergenceTol() >= 0, "model.sgd.convergence_tol", "must be >= 0");
    require(m.aggregationDepth() == null || m.aggregationDepth() >= 2, "model.aggregation_depth", "must be at least 2");
  }

  /** Tuning metrics per model type; the first is the default. */
  public static final Map<ModelType, List<String>> TUNING_METRICS = Map.of(
      ModelType.LOGISTIC, List.of("log_loss", "auc_roc", "auc_pr", "accuracy", "f1"),
      ModelType.LINEAR, List.of("rmse", "mae", "r2"));

  /** Parameters a tuning grid may vary; step_size and mini_batch_fraction only with sgd. */
  public static final List<String> TUNING_PARAMS =
      List.of("reg_param", "elastic_net_param", "max_iter", "tol", "step_size", "mini_batch_fraction");

  private static void validateTrain(GlmpipeConfig c) {
    TrainConfig.HoldoutConfig h = c.train().holdout();
    if (h.by() == TrainConfig.SplitBy.HASH) {
      double f = h.fraction();
      require(f > 0 && f < 1, "train.holdout.fraction", "must be between 0 and 1 (exclusive)");
      require(h.column() != null, "train.holdout.column", "is required when train.holdout.by is hash");
      requireColumn(c.dataset(), h.column(), "train.holdout.column");
      require(h.days() == null, "train.holdout.days", "applies only with train.holdout.by: time");
    } else {
      // column and fraction may stay in an overlay's base: a time split ignores them.
      require(h.days() != null, "train.holdout.days", "is required when train.holdout.by is time (the newest days held out)");
      require(h.days() >= 1, "train.holdout.days", "must be at least 1");
    }
    TrainConfig.TuningConfig t = c.train().tuning();
    if (t == null) {
      return;
    }
    require(!t.grid().isEmpty(), "train.tuning.grid", "must name at least one parameter");
    boolean sgd = c.model().solver() == ModelConfig.Solver.SGD;
    t.grid().forEach((key, values) -> {
      String path = "train.tuning.grid." + key;
      require(TUNING_PARAMS.contains(key), path, "unknown parameter (known: " + String.join(", ", TUNING_PARAMS) + ")");
      require(!values.isEmpty(), path, "must list at least one value");
      require(sgd || !(key.equals("step_size") || key.equals("mini_batch_fraction")), path, "applies only with model.solver: sgd");
      for (int i = 0; i < values.size(); i++) {
        double v = values.get(i);
        String at = path + "[" + i + "]";
        switch (key) {
          case "reg_param" -> require(v >= 0, at, "must be >= 0");
          case "elastic_net_param" -> require(v >= 0 && v <= 1, at, "must be between 0 and 1");
          case "max_iter" -> require(v >= 1 && v == Math.rint(v), at, "must be a whole number >= 1");
          case "tol", "step_size" -> require(v > 0, at, "must be > 0");
          case "mini_batch_fraction" -> require(v > 0 && v <= 1, at, "must be in (0, 1]");
          default -> { }
        }
      }
    });
    require(t.folds() >= 2, "train.tuning.folds", "must be at least 2");
    require(t.validationFraction() > 0 && t.validationFraction() < 1, "train.tuning.validation_fraction", "must be between 0 and 1 (exclusive)");
    require(t.parallelism() >= 1, "train.tuning.parallelism", "must be at least 1");
    List<String> metrics = TUNING_METRICS.get(c.model().type());
    require(t.metric() == null || metrics.contains(t.metric()), "train.tuning.metric",
        "unknown metric for a " + c.model().type().name().toLowerCase() + " model (known: " + String.join(", ", metrics) + ")");
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
