package dev.glmpipe.scorer;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A run of the feature vector's slots and how a record fills it: a dense slot holds a number
 * ({@code dense[at]}), a one-hot block the index of its hot slot ({@code hot[at]}, or the
 * block's width when no slot is hot). In vector order: standardized numerics, other numerics,
 * booleans, bucketed numerics, level features (categoricals, date parts, crosses), hashed
 * columns.
 */
sealed interface VectorBlock {
  /** Slots in the vector. */
  int width();

  /** Fills this block's entries of {@code dense} or {@code hot} from the record's typed values. */
  void fill(Object[] row, double[] dense, int[] hot);

  /** StandardScalerModel with mean and std: {@code (x - mean) * (1 / std)}, 0 for a zero std, as MLlib multiplies. */
  record Scaled(NumericInput input, double mean, double factor, int at) implements VectorBlock {
    static Scaled of(NumericInput input, double mean, double std, int at) {
      return new Scaled(input, mean, std == 0.0 ? 0.0 : 1.0 / std, at);
    }

    @Override
    public int width() {
      return 1;
    }

    @Override
    public void fill(Object[] row, double[] dense, int[] hot) {
      dense[at] = (input.assembled(row) - mean) * factor;
    }
  }

  /** A numeric slot as prepared. */
  record Plain(NumericInput input, int at) implements VectorBlock {
    @Override
    public int width() {
      return 1;
    }

    @Override
    public void fill(Object[] row, double[] dense, int[] hot) {
      dense[at] = input.assembled(row);
    }
  }

  /** {@code CAST(coalesce(b, false) AS DOUBLE)}. */
  record Bool(int input, int at) implements VectorBlock {
    @Override
    public int width() {
      return 1;
    }

    @Override
    public void fill(Object[] row, double[] dense, int[] hot) {
      dense[at] = Boolean.TRUE.equals(row[input]) ? 1.0 : 0.0;
    }
  }

  /**
   * Bucketizer ({@code handleInvalid=error}) then a one-hot slot per bucket: MLlib's binary search
   * in Java's order of doubles (-0.0 below a 0.0 split), the last split closed.
   */
  record Bucketed(NumericInput input, double[] splits, int at) implements VectorBlock {
    @Override
    public int width() {
      return splits.length - 1;
    }

    @Override
    public void fill(Object[] row, double[] dense, int[] hot) {
      Double x = input.value(row);
      if (x == null || x.isNaN()) {
        throw new InvalidInputException(input.column(), (x == null ? "null" : "NaN") + " after the model's preparation "
            + "cannot be bucketed; the batch scorer fails such a row too");
      }
      int n = splits.length;
      int bucket;
      if (x == splits[n - 1]) {
        bucket = n - 2;
      } else {
        int found = Arrays.binarySearch(splits, x);
        if (found >= 0) {
          bucket = found;
        } else {
          int insert = -found - 1;
          if (insert == 0 || insert == n) {
            throw new InvalidInputException(input.column(), x + " is outside the bucket bounds [" + splits[0] + ", "
                + splits[n - 1] + "]");
          }
          bucket = insert - 1;
        }
      }
      hot[at] = bucket;
    }
  }

  /**
   * A categorical, date part or cross: its string looked up in the fitted levels; a null,
   * rare or unseen value takes the extra slot after them.
   */
  record Levels(LevelValue value, Map<String, Integer> index, int levels, int at) implements VectorBlock {
    @Override
    public int width() {
      return levels + 1;
    }

    @Override
    public void fill(Object[] row, double[] dense, int[] hot) {
      String s = value.of(row);
      Integer i = s == null ? null : index.get(s);
      hot[at] = i == null ? levels : i;
    }
  }

  /** FeatureHasher of one categorical column: {@code column=value} hashed into a bucket; a null sets none. */
  record Hashed(String column, int input, int buckets, int seed, int at) implements VectorBlock {
    @Override
    public int width() {
      return buckets;
    }

    @Override
    public void fill(Object[] row, double[] dense, int[] hot) {
      Object v = row[input];
      hot[at] = v == null ? buckets : Murmur3.bucket(Murmur3.hash(column + "=" + InputType.sparkString(v), seed), buckets);
    }
  }

  /** How a level feature's string is made from a record. */
  sealed interface LevelValue {
    String of(Object[] row);
  }

  /** {@code CAST(column AS STRING)}. */
  record Categorical(int input) implements LevelValue {
    @Override
    public String of(Object[] row) {
      Object v = row[input];
      return v == null ? null : InputType.sparkString(v);
    }
  }

  /** Two columns' strings joined by {@code ×}; null when either is null. */
  record Cross(int first, int second) implements LevelValue {
    @Override
    public String of(Object[] row) {
      Object a = row[first];
      Object b = row[second];
      return a == null || b == null ? null : InputType.sparkString(a) + "×" + InputType.sparkString(b);
    }
  }

  /**
   * A calendar part of a date, or of a timestamp read as wall-clock time in {@code zone}
   * (Spark's {@code from_utc_timestamp}): Mon…Sun, Jan…Dec, 00…23.
   */
  record DatePart(int input, String part, ZoneId zone) implements LevelValue {
    static final List<String> DAYS = List.of("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun");
    static final List<String> MONTHS = List.of("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec");

    @Override
    public String of(Object[] row) {
      Object v = row[input];
      if (v == null) {
        return null;
      }
      if (v instanceof LocalDate d) {
        return switch (part) {
          case "day_of_week" -> DAYS.get(d.getDayOfWeek().getValue() - 1);
          case "month" -> MONTHS.get(d.getMonthValue() - 1);
          default -> throw new IllegalStateException("part " + part + " of a date");
        };
      }
      ZonedDateTime t = ZonedDateTime.ofInstant((Instant) v, zone);
      return switch (part) {
        case "day_of_week" -> DAYS.get(t.getDayOfWeek().getValue() - 1);
        case "month" -> MONTHS.get(t.getMonthValue() - 1);
        case "hour" -> t.getHour() < 10 ? "0" + t.getHour() : Integer.toString(t.getHour());
        default -> throw new IllegalStateException("part " + part);
      };
    }
  }
}
