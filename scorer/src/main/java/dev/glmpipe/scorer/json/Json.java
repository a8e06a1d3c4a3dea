package dev.glmpipe.scorer.json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON (RFC 8259) reader into plain Java values: objects become {@code Map<String,
 * Object>} (keys in document order), arrays {@code List<Object>}, strings {@code String},
 * {@code true}/{@code false} {@code Boolean}, {@code null} null, and numbers {@code Long} when
 * written as an integer that fits (other than {@code -0}), {@code Double} otherwise (parsed by
 * {@link Double#parseDouble}, so correctly rounded). A duplicate key, trailing content, or
 * nesting deeper than {@link #MAX_DEPTH} is an error. No dependency: the scorer needs no other.
 */
public final class Json {
  /** Deeper nesting is refused rather than risking a stack overflow on hostile input. */
  public static final int MAX_DEPTH = 64;

  private final String s;
  private int at;

  private Json(String s) {
    this.s = s;
  }

  /** Parses one JSON value; throws {@link JsonException} naming the offset where it is not JSON. */
  public static Object parse(String text) {
    Json p = new Json(text);
    p.skipSpace();
    Object v = p.value(0);
    p.skipSpace();
    if (p.at != text.length()) {
      throw p.error("unexpected content after the JSON value");
    }
    return v;
  }

  private Object value(int depth) {
    if (depth > MAX_DEPTH) {
      throw error("nested deeper than " + MAX_DEPTH + " levels");
    }
    if (at >= s.length()) {
      throw error("unexpected end of input");
    }
    char c = s.charAt(at);
    switch (c) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
      case '"':
        return string();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", null);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error("unexpected character '" + printable(c) + "'");
    }
  }

  private Map<String, Object> object(int depth) {
    at++;  // {
    Map<String, Object> out = new LinkedHashMap<>();
    skipSpace();
    if (peek() == '}') {
      at++;
      return out;
    }
    while (true) {
      skipSpace();
      if (peek() != '"') {
        throw error("expected a string key");
      }
      int keyAt = at;
      String key = string();
      skipSpace();
      expect(':');
      skipSpace();
      Object v = value(depth + 1);
      if (out.containsKey(key)) {
        at = keyAt;
        throw error("duplicate key \"" + key + "\"");
      }
      out.put(key, v);
      skipSpace();
      char c = peek();
      at++;
      if (c == '}') {
        return out;
      }
      if (c != ',') {
        at--;
        throw error("expected ',' or '}'");
      }
    }
  }

  private List<Object> array(int depth) {
    at++;  // [
    List<Object> out = new ArrayList<>();
    skipSpace();
    if (peek() == ']') {
      at++;
      return out;
    }
    while (true) {
      skipSpace();
      out.add(value(depth + 1));
      skipSpace();
      char c = peek();
      at++;
      if (c == ']') {
        return out;
      }
      if (c != ',') {
        at--;
        throw error("expected ',' or ']'");
      }
    }
  }

  private String string() {
    at++;  // opening quote
    StringBuilder out = null;
    int start = at;
    while (true) {
      if (at >= s.length()) {
        throw error("unterminated string");
      }
      char c = s.charAt(at);
      if (c == '"') {
        String tail = s.substring(start, at);
        at++;
        return out == null ? tail : out.append(tail).toString();
      }
      if (c < 0x20) {
        throw error("control character in a string");
      }
      if (c != '\\') {
        at++;
        continue;
      }
      if (out == null) {
        out = new StringBuilder();
      }
      out.append(s, start, at);
      at++;
      if (at >= s.length()) {
        throw error("unterminated string");
      }
      char e = s.charAt(at++);
      switch (e) {
        case '"', '\\', '/' -> out.append(e);
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> {
          if (at + 4 > s.length()) {
            throw error("incomplete \\u escape");
          }
          int code = 0;
          for (int i = 0; i < 4; i++) {
            int d = Character.digit(s.charAt(at + i), 16);
            if (d < 0) {
              throw error("bad \\u escape");
            }
            code = code * 16 + d;
          }
          at += 4;
          out.append((char) code);
        }
        default -> {
          at--;
          throw error("bad escape '\\" + printable(e) + "'");
        }
      }
      start = at;
    }
  }

  private Object number() {
    int start = at;
    boolean integral = true;
    if (peek() == '-') {
      at++;
    }
    if (peek() == '0') {
      at++;
    } else if (isDigit(peek())) {
      while (isDigit(peek())) {
        at++;
      }
    } else {
      throw error("bad number");
    }
    if (peek() == '.') {
      integral = false;
      at++;
      if (!isDigit(peek())) {
        throw error("bad number: a digit must follow '.'");
      }
      while (isDigit(peek())) {
        at++;
      }
    }
    if (peek() == 'e' || peek() == 'E') {
      integral = false;
      at++;
      if (peek() == '+' || peek() == '-') {
        at++;
      }
      if (!isDigit(peek())) {
        throw error("bad number: a digit must follow the exponent");
      }
      while (isDigit(peek())) {
        at++;
      }
    }
    String text = s.substring(start, at);
    if (integral && !text.equals("-0")) {
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException tooBig) {
        return Double.parseDouble(text);
      }
    }
    return Double.parseDouble(text);
  }

  private Object literal(String word, Object value) {
    if (!s.startsWith(word, at)) {
      throw error("unexpected characters (expected " + word + ")");
    }
    at += word.length();
    return value;
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("expected '" + c + "'");
    }
    at++;
  }

  private char peek() {
    return at < s.length() ? s.charAt(at) : '\0';
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private void skipSpace() {
    while (at < s.length()) {
      char c = s.charAt(at);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      at++;
    }
  }

  private JsonException error(String what) {
    return new JsonException("not valid JSON at offset " + at + ": " + what);
  }

  private static String printable(char c) {
    return c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c);
  }

  // ---- writing ---------------------------------------------------------------------------

  /**
   * {@code value} as compact JSON: maps, lists, arrays of doubles, strings, numbers, booleans
   * and null. A non-finite double (JSON has none) is written as null.
   */
  public static String write(Object value) {
    StringBuilder out = new StringBuilder(128);
    write(out, value);
    return out.toString();
  }

  public static void write(StringBuilder out, Object v) {
    if (v == null) {
      out.append("null");
    } else if (v instanceof String str) {
      string(out, str);
    } else if (v instanceof Double d) {
      number(out, d);
    } else if (v instanceof Float f) {
      number(out, f.doubleValue());
    } else if (v instanceof Number || v instanceof Boolean) {
      out.append(v);
    } else if (v instanceof Map<?, ?> m) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        string(out, String.valueOf(e.getKey()));
        out.append(':');
        write(out, e.getValue());
      }
      out.append('}');
    } else if (v instanceof Iterable<?> it) {
      out.append('[');
      boolean first = true;
      for (Object o : it) {
        if (!first) {
          out.append(',');
        }
        first = false;
        write(out, o);
      }
      out.append(']');
    } else if (v instanceof double[] ds) {
      out.append('[');
      for (int i = 0; i < ds.length; i++) {
        if (i > 0) {
          out.append(',');
        }
        number(out, ds[i]);
      }
      out.append(']');
    } else {
      string(out, v.toString());
    }
  }

  /** A double as the shortest text that reads back as the same double ({@link Double#toString}); null if not finite. */
  public static void number(StringBuilder out, double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      out.append("null");
    } else {
      out.append(d);
    }
  }

  public static void string(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
