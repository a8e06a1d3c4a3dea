package dev.glmpipe.scorer;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * The Spark SQL type of an input column (as the version's {@code input_schema} names it) and
 * how a record's value is read as one: the value a Spark row of that type would hold. Numbers
 * may be any {@link Number} that is exactly a value of the type; a double column also takes
 * the strings {@code NaN}, {@code Infinity} and {@code -Infinity} (JSON has no such numbers); a
 * timestamp is an {@link Instant}, {@link OffsetDateTime}, {@link ZonedDateTime} or an ISO-8601
 * string with an offset ({@code 2026-11-03T10:15:30Z}); a date a {@link LocalDate} or
 * {@code YYYY-MM-DD}.
 */
public enum InputType {
  TINYINT(Byte.MIN_VALUE, Byte.MAX_VALUE),
  SMALLINT(Short.MIN_VALUE, Short.MAX_VALUE),
  INT(Integer.MIN_VALUE, Integer.MAX_VALUE),
  BIGINT(Long.MIN_VALUE, Long.MAX_VALUE),
  FLOAT(0, 0),
  DOUBLE(0, 0),
  STRING(0, 0),
  BOOLEAN(0, 0),
  TIMESTAMP(0, 0),
  DATE(0, 0);

  private final long min;
  private final long max;

  InputType(long min, long max) {
    this.min = min;
    this.max = max;
  }

  /** The type Spark's {@code DataType.simpleString()} names, e.g. {@code int}, {@code bigint}, {@code timestamp}. */
  public static InputType of(String sparkType) {
    return switch (sparkType.toLowerCase(Locale.ROOT)) {
      case "tinyint", "byte" -> TINYINT;
      case "smallint", "short" -> SMALLINT;
      case "int", "integer" -> INT;
      case "bigint", "long" -> BIGINT;
      case "float" -> FLOAT;
      case "double" -> DOUBLE;
      case "string" -> STRING;
      case "boolean" -> BOOLEAN;
      case "timestamp" -> TIMESTAMP;
      case "date" -> DATE;
      default -> throw new IllegalArgumentException("input type '" + sparkType + "' is not supported by the scorer");
    };
  }

  public boolean integral() {
    return this == TINYINT || this == SMALLINT || this == INT || this == BIGINT;
  }

  public boolean numeric() {
    return integral() || this == FLOAT || this == DOUBLE;
  }

  /**
   * {@code value} (not null) as a Spark row of this type holds it: a {@link Long} for the
   * integer types, a {@link Double} for float and double (a float rounded to float first), a
   * {@link String}, {@link Boolean}, {@link Instant} or {@link LocalDate}.
   *
   * @throws InvalidInputException naming {@code field} if the value is not one of this type
   */
  public Object read(String field, Object value) {
    switch (this) {
      case TINYINT, SMALLINT, INT, BIGINT -> {
        Long v = exactLong(value);
        if (v == null) {
          throw new InvalidInputException(field, "expected an integer (" + name().toLowerCase(Locale.ROOT) + "), got " + describe(value));
        }
        if (v < min || v > max) {
          throw new InvalidInputException(field, v + " is out of range for " + name().toLowerCase(Locale.ROOT));
        }
        return v;
      }
      case FLOAT, DOUBLE -> {
        double d;
        if (value instanceof Number n && !(value instanceof BigDecimal) && !(value instanceof BigInteger)) {
          d = n.doubleValue();
        } else if (value instanceof BigDecimal b) {
          d = b.doubleValue();
        } else if (value instanceof BigInteger b) {
          d = b.doubleValue();
        } else if ("NaN".equals(value)) {
          d = Double.NaN;
        } else if ("Infinity".equals(value)) {
          d = Double.POSITIVE_INFINITY;
        } else if ("-Infinity".equals(value)) {
          d = Double.NEGATIVE_INFINITY;
        } else {
          throw new InvalidInputException(field, "expected a number, got " + describe(value));
        }
        return this == FLOAT ? (double) (float) d : d;
      }
      case STRING -> {
        if (value instanceof String s) {
          return s;
        }
        throw new InvalidInputException(field, "expected a string, got " + describe(value));
      }
      case BOOLEAN -> {
        if (value instanceof Boolean b) {
          return b;
        }
        throw new InvalidInputException(field, "expected true or false, got " + describe(value));
      }
      case TIMESTAMP -> {
        return instant(field, value);
      }
      case DATE -> {
        if (value instanceof LocalDate d) {
          return d;
        }
        if (value instanceof String s) {
          try {
            return LocalDate.parse(s);
          } catch (DateTimeParseException e) {
            throw new InvalidInputException(field, "expected a date like 2026-11-03, got \"" + s + "\"");
          }
        }
        throw new InvalidInputException(field, "expected a date like \"2026-11-03\", got " + describe(value));
      }
      default -> throw new IllegalStateException(name());
    }
  }

  private static Instant instant(String field, Object value) {
    if (value instanceof Instant i) {
      return i;
    }
    if (value instanceof OffsetDateTime o) {
      return o.toInstant();
    }
    if (value instanceof ZonedDateTime z) {
      return z.toInstant();
    }
    if (value instanceof String s) {
      try {
        return OffsetDateTime.parse(s).toInstant();
      } catch (DateTimeParseException e) {
        throw new InvalidInputException(field, "expected an ISO-8601 timestamp with an offset like 2026-11-03T10:15:30Z, got \""
            + s + "\"");
      }
    }
    throw new InvalidInputException(field, "expected a timestamp like \"2026-11-03T10:15:30Z\", got " + describe(value));
  }

  /** The integer {@code value} is exactly, or null if it is not a number with an integer value in the long range. */
  private static Long exactLong(Object value) {
    if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof BigInteger b) {
      return b.bitLength() < 64 ? b.longValue() : null;
    }
    if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
      BigDecimal d;
      try {
        d = value instanceof BigDecimal b ? b : new BigDecimal(((Number) value).doubleValue());
      } catch (NumberFormatException notFinite) {
        return null;
      }
      try {
        return d.longValueExact();
      } catch (ArithmeticException notIntegral) {
        return null;
      }
    }
    return null;
  }

  static String describe(Object value) {
    if (value instanceof String s) {
      return "the string \"" + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + "\"";
    }
    if (value instanceof Boolean b) {
      return b.toString();
    }
    if (value instanceof Number n) {
      return "the number " + n;
    }
    if (value instanceof java.util.Map) {
      return "an object";
    }
    if (value instanceof java.util.List) {
      return "an array";
    }
    return "a " + value.getClass().getSimpleName();
  }

  /**
   * A value of this type as Spark's {@code CAST(x AS STRING)} writes it (integers in decimal,
   * booleans {@code true}/{@code false}), which is also its {@code toString()}: what a
   * StringIndexer looks up and what FeatureHasher hashes.
   */
  public static String sparkString(Object typed) {
    return typed.toString();
  }
}
