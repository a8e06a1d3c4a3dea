package dev.glmpipe.features;

import dev.glmpipe.Sql;
import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.config.FeaturesConfig.CategoricalFeature;
import dev.glmpipe.config.FeaturesConfig.CrossFeature;
import dev.glmpipe.config.FeaturesConfig.DatePart;
import dev.glmpipe.config.FeaturesConfig.TimestampFeature;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A feature one-hot encoded over a list of string levels, plus one slot for everything else:
 * a categorical column, one calendar part of a timestamp, or the cross of two columns. All
 * three become a string column (by {@link #sql}) that one StringIndexerModel and one
 * OneHotEncoder encode, so they share the "other" slot rule.
 */
sealed interface LevelFeature {
  /** The slot prefix: {@code plan}, {@code last_login_at.day_of_week}, {@code plan×region}. */
  String name();

  /** {@code categorical}, {@code date_part} or {@code cross}. */
  String kind();

  /** Input columns it reads. */
  List<String> sourceColumns();

  /** The internal column's suffix, unique within the pipeline and safe in any Spark name. */
  String key();

  /**
   * The string value of a row as a Spark SQL expression over the input columns. The same text
   * drives the fitted pipeline, the level counts and the profile, so all three agree.
   */
  String sql(StructType schema);

  /** Levels known without looking at data (calendar parts), or null when fitted from counts. */
  default List<String> fixedLevels() {
    return null;
  }

  int minCount();

  int topK();

  /** The name of the slot for values outside the levels. */
  default String otherLevel() {
    return OTHER;
  }

  /** The value column the string indexer reads. */
  default String column() {
    return "__lvl_" + key();
  }

  /** Rare, unseen and null values of a categorical or a cross. */
  String OTHER = "__other__";
  /** The only value outside a calendar part's fixed levels: a null date or timestamp. */
  String MISSING = "__missing__";
  /** Between the two values of a cross level, as in {@code premium×west}. */
  String CROSS = "×";

  /** All level features of a spec, in vector order: categoricals, date parts, crosses. */
  static List<LevelFeature> of(FeaturesConfig spec) {
    List<LevelFeature> out = new ArrayList<>();
    spec.categoricalOrEmpty().forEach(c -> out.add(new Categorical(c)));
    for (TimestampFeature t : spec.timestampOrEmpty()) {
      t.parts().forEach(p -> out.add(new CalendarPart(t, p)));
    }
    for (int i = 0; i < spec.crossesOrEmpty().size(); i++) {
      out.add(new Cross(spec.crossesOrEmpty().get(i), i));
    }
    return out;
  }

  record Categorical(CategoricalFeature spec) implements LevelFeature {
    @Override
    public String kind() {
      return "categorical";
    }

    @Override
    public String name() {
      return spec.column();
    }

    @Override
    public List<String> sourceColumns() {
      return List.of(spec.column());
    }

    @Override
    public String key() {
      return "cat_" + spec.column();
    }

    @Override
    public String sql(StructType schema) {
      return "CAST(" + Sql.quote(spec.column()) + " AS STRING)";
    }

    @Override
    public int minCount() {
      return spec.minCount();
    }

    @Override
    public int topK() {
      return spec.topK();
    }
  }

  /**
   * One calendar part, read in the spec's time zone whatever the session's time zone is, so a
   * cluster configured differently at scoring time still sees the hour training saw.
   */
  record CalendarPart(TimestampFeature spec, DatePart part) implements LevelFeature {
    @Override
    public String kind() {
      return "date_part";
    }

    static final List<String> DAYS = List.of("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun");
    static final List<String> MONTHS = List.of("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec");
    static final List<String> HOURS = IntStream.range(0, 24).mapToObj(h -> String.format(Locale.ROOT, "%02d", h)).toList();

    @Override
    public String name() {
      return spec.column() + "." + part.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public List<String> sourceColumns() {
      return List.of(spec.column());
    }

    @Override
    public String key() {
      return part.name().toLowerCase(Locale.ROOT) + "_" + spec.column();
    }

    @Override
    public String sql(StructType schema) {
      String c = Sql.quote(spec.column());
      DataType type = schema.apply(spec.column()).dataType();
      // A date has no time zone; a timestamp is an instant, turned into wall-clock seconds in
      // the spec's zone (from_utc_timestamp and unix_seconds ignore the session time zone).
      String localSeconds = "unix_seconds(from_utc_timestamp(" + c + ", " + Sql.string(spec.timeZone()) + "))";
      String date = type.equals(DataTypes.DateType) ? c
          : "date_from_unix_date(CAST(floor(" + localSeconds + " / 86400) AS INT))";
      // try_element_at, not element_at: a null date gives a null index, and under ANSI mode
      // (Spark 4's default) element_at declares its result non-nullable when the array holds no
      // null, so Spark's interpreted projections (local relations) then fail on the null.
      return switch (part) {
        // dayofweek is 1 for Sunday; shift so Monday is the first level.
        case DAY_OF_WEEK -> "try_element_at(" + Sql.array(DAYS) + ", CAST(pmod(dayofweek(" + date + ") + 5, 7) + 1 AS INT))";
        case MONTH -> "try_element_at(" + Sql.array(MONTHS) + ", month(" + date + "))";
        case HOUR -> "lpad(CAST(pmod(floor(" + localSeconds + " / 3600), 24) AS STRING), 2, '0')";
      };
    }

    @Override
    public List<String> fixedLevels() {
      return switch (part) {
        case DAY_OF_WEEK -> DAYS;
        case MONTH -> MONTHS;
        case HOUR -> HOURS;
      };
    }

    @Override
    public int minCount() {
      return 1;
    }

    @Override
    public int topK() {
      return fixedLevels().size();
    }

    @Override
    public String otherLevel() {
      return MISSING;
    }
  }

  /** Two columns' values joined by {@link #CROSS}; null when either is null. */
  record Cross(CrossFeature spec, int index) implements LevelFeature {
    @Override
    public String kind() {
      return "cross";
    }

    @Override
    public String name() {
      return spec.columns().get(0) + CROSS + spec.columns().get(1);
    }

    @Override
    public List<String> sourceColumns() {
      return spec.columns();
    }

    @Override
    public String key() {
      return "cross" + index;
    }

    @Override
    public String sql(StructType schema) {
      return "concat(CAST(" + Sql.quote(spec.columns().get(0)) + " AS STRING), " + Sql.string(CROSS)
          + ", CAST(" + Sql.quote(spec.columns().get(1)) + " AS STRING))";
    }

    @Override
    public int minCount() {
      return spec.minCount();
    }

    @Override
    public int topK() {
      return spec.topK();
    }
  }
}
