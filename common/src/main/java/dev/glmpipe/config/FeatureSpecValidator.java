package dev.glmpipe.config;

import dev.glmpipe.config.DatasetConfig.ColumnContract;
import dev.glmpipe.config.DatasetConfig.ColumnType;
import dev.glmpipe.config.FeaturesConfig.CategoricalFeature;
import dev.glmpipe.config.FeaturesConfig.CrossFeature;
import dev.glmpipe.config.FeaturesConfig.DatePart;
import dev.glmpipe.config.FeaturesConfig.HashedFeature;
import dev.glmpipe.config.FeaturesConfig.Impute;
import dev.glmpipe.config.FeaturesConfig.NumericFeature;
import dev.glmpipe.config.FeaturesConfig.Scale;
import dev.glmpipe.config.FeaturesConfig.TimestampFeature;
import dev.glmpipe.config.FeaturesConfig.Transform;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code features} rules that need the data contract or span several keys. Every failure
 * names the key to fix, e.g. {@code features.numeric[1].clip}.
 */
final class FeatureSpecValidator {
  /** Above this, a bucketed column is better left numeric. */
  static final int MAX_BUCKETS = 100;
  /** 2^20 slots: more than a linear model can use on any realistic training window. */
  static final int MAX_HASH_BUCKETS = 1 << 20;
  static final int MAX_TOP_K = 10_000;

  private final DatasetConfig dataset;
  private final String label;
  /** Columns already used by a feature: one column feeds one feature (crosses aside). */
  private final Set<String> used = new HashSet<>();

  private FeatureSpecValidator(DatasetConfig dataset) {
    this.dataset = dataset;
    this.label = dataset.label();
  }

  static void validate(FeaturesConfig f, DatasetConfig dataset) {
    FeatureSpecValidator v = new FeatureSpecValidator(dataset);
    for (int i = 0; i < f.numericOrEmpty().size(); i++) {
      v.numeric(f.numericOrEmpty().get(i), "features.numeric[" + i + "]");
    }
    for (int i = 0; i < f.categoricalOrEmpty().size(); i++) {
      v.categorical(f.categoricalOrEmpty().get(i), "features.categorical[" + i + "]");
    }
    for (int i = 0; i < f.booleanOrEmpty().size(); i++) {
      String path = "features.boolean[" + i + "]";
      ColumnContract col = v.column(f.booleanOrEmpty().get(i), path);
      require(col.type() == ColumnType.BOOLEAN, path, "'" + col.name() + "' is " + typeName(col) + ", not boolean");
      v.claim(col.name(), path);
    }
    for (int i = 0; i < f.hashedOrEmpty().size(); i++) {
      v.hashed(f.hashedOrEmpty().get(i), "features.hashed[" + i + "]");
    }
    for (int i = 0; i < f.timestampOrEmpty().size(); i++) {
      v.timestamp(f.timestampOrEmpty().get(i), "features.timestamp[" + i + "]");
    }
    require(!v.used.isEmpty(), "features",
        "must declare at least one numeric, categorical, boolean, hashed or timestamp feature");
    Set<Set<String>> crossed = new HashSet<>();
    for (int i = 0; i < f.crossesOrEmpty().size(); i++) {
      String path = "features.crosses[" + i + "]";
      v.cross(f.crossesOrEmpty().get(i), path);
      require(crossed.add(Set.copyOf(f.crossesOrEmpty().get(i).columns())), path + ".columns",
          "this pair of columns is already crossed");
    }
  }

  private void numeric(NumericFeature n, String path) {
    ColumnContract col = column(n.column(), path + ".column");
    require(col.type().isNumeric(), path + ".column", "'" + col.name() + "' is " + typeName(col) + ", not numeric");
    claim(col.name(), path + ".column");
    if (n.impute() == Impute.CONSTANT) {
      require(n.imputeValue() != null, path + ".impute_value", "is required when impute is constant");
    } else {
      require(n.imputeValue() == null, path + ".impute_value", "applies only with impute: constant");
    }
    if (n.clip() != null) {
      require(n.clip().size() == 2, path + ".clip", "must be [lower, upper], got " + n.clip().size() + " value(s)");
      require(n.clip().get(0) <= n.clip().get(1), path + ".clip",
          "lower bound must not exceed upper (" + n.clip().get(0) + " > " + n.clip().get(1) + ")");
    }
    if (n.transform() == Transform.LOG1P) {
      // log1p(x) is undefined at x <= -1: some lower bound must rule those values out.
      Double lower = n.clip() != null ? n.clip().get(0) : col.min();
      require(lower != null && lower > -1, path + ".transform",
          "log1p needs values above -1: set clip: [lower, upper] with lower > -1, or min > -1 on the column's contract");
      if (n.clip() == null && n.imputeValue() != null) {
        require(n.imputeValue() > -1, path + ".impute_value", "log1p needs values above -1, got " + n.imputeValue());
      }
    }
    if (n.buckets() != null) {
      require(n.buckets() >= 2 && n.buckets() <= MAX_BUCKETS, path + ".buckets",
          "must be between 2 and " + MAX_BUCKETS + ", got " + n.buckets());
      require(n.scale() == Scale.NONE, path + ".scale", "a bucketed column is one-hot encoded, so it cannot also be scaled");
      require(n.transform() == Transform.NONE, path + ".transform",
          "quantile buckets do not change under a monotone transform; drop it (bucket bounds stay in input units)");
    }
  }

  private void categorical(CategoricalFeature c, String path) {
    ColumnContract col = column(c.column(), path + ".column");
    require(isLevelType(col.type()), path + ".column",
        "'" + col.name() + "' must be a string, integer or long column to be categorical, not " + typeName(col));
    claim(col.name(), path + ".column");
    levelLimits(c.minCount(), c.topK(), path);
  }

  private void hashed(HashedFeature h, String path) {
    ColumnContract col = column(h.column(), path + ".column");
    require(isLevelType(col.type()) || col.type() == ColumnType.BOOLEAN, path + ".column",
        "'" + col.name() + "' must be a string, integer, long or boolean column to be hashed, not " + typeName(col));
    claim(col.name(), path + ".column");
    require(h.buckets() >= 2 && h.buckets() <= MAX_HASH_BUCKETS, path + ".buckets",
        "must be between 2 and " + MAX_HASH_BUCKETS + ", got " + h.buckets());
  }

  private void timestamp(TimestampFeature t, String path) {
    ColumnContract col = column(t.column(), path + ".column");
    require(col.type() == ColumnType.TIMESTAMP || col.type() == ColumnType.DATE, path + ".column",
        "'" + col.name() + "' is " + typeName(col) + ", but date parts need a timestamp or date column");
    claim(col.name(), path + ".column");
    require(!t.parts().isEmpty(), path + ".parts", "must list at least one of day_of_week, month, hour");
    Set<DatePart> seen = new HashSet<>();
    for (int i = 0; i < t.parts().size(); i++) {
      DatePart part = t.parts().get(i);
      String partPath = path + ".parts[" + i + "]";
      require(seen.add(part), partPath, "'" + partName(part) + "' is listed twice");
      require(part != DatePart.HOUR || col.type() == ColumnType.TIMESTAMP, partPath,
          "'hour' needs a timestamp column; '" + col.name() + "' is a date");
    }
    try {
      ZoneId.of(t.timeZone());
    } catch (DateTimeException e) {
      throw new ConfigException(path + ".time_zone", "is not a time zone id (e.g. UTC, Europe/Paris): '" + t.timeZone() + "'");
    }
  }

  private void cross(CrossFeature x, String path) {
    require(x.columns().size() == 2, path + ".columns", "must name exactly two columns, got " + x.columns().size());
    for (int i = 0; i < 2; i++) {
      String colPath = path + ".columns[" + i + "]";
      ColumnContract col = column(x.columns().get(i), colPath);
      require(isLevelType(col.type()) || col.type() == ColumnType.BOOLEAN, colPath,
          "'" + col.name() + "' must be a string, integer, long or boolean column to be crossed, not " + typeName(col));
      require(!col.name().equals(label), colPath, "the label '" + label + "' cannot be a feature");
    }
    require(!x.columns().get(0).equals(x.columns().get(1)), path + ".columns[1]", "a column cannot be crossed with itself");
    levelLimits(x.minCount(), x.topK(), path);
  }

  private static void levelLimits(int minCount, int topK, String path) {
    require(minCount >= 1, path + ".min_count", "must be at least 1, got " + minCount);
    require(topK >= 1 && topK <= MAX_TOP_K, path + ".top_k",
        "must be between 1 and " + MAX_TOP_K + " (hash columns with more levels), got " + topK);
  }

  /** Marks a column as one feature's input: it feeds no other feature and is not the label. */
  private void claim(String name, String path) {
    require(used.add(name), path, "column '" + name + "' is used by more than one feature");
    require(!name.equals(label), path, "the label '" + name + "' cannot be a feature");
  }

  private ColumnContract column(String name, String path) {
    return ConfigValidator.requireColumn(dataset, name, path);
  }

  private static boolean isLevelType(ColumnType t) {
    return t == ColumnType.STRING || t == ColumnType.INTEGER || t == ColumnType.LONG;
  }

  private static String typeName(ColumnContract col) {
    return col.type().name().toLowerCase(Locale.ROOT);
  }

  static String partName(DatePart part) {
    return part.name().toLowerCase(Locale.ROOT);
  }

  private static void require(boolean ok, String path, String problem) {
    if (!ok) {
      throw new ConfigException(path, problem);
    }
  }
}
