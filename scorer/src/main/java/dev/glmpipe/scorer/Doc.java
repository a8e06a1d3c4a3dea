package dev.glmpipe.scorer;

import java.util.List;
import java.util.Map;

/** Typed reads from a parsed {@code coefficients.json}, each failing with the key's path. */
final class Doc {
  private Doc() {}

  static Object get(Map<String, Object> m, String key, String path) {
    if (!m.containsKey(key)) {
      throw new ExportFormatException(path + "." + key + " is missing");
    }
    return m.get(key);
  }

  static String string(Map<String, Object> m, String key, String path) {
    Object v = get(m, key, path);
    if (!(v instanceof String s)) {
      throw new ExportFormatException(path + "." + key + " must be a string");
    }
    return s;
  }

  static String optionalString(Map<String, Object> m, String key) {
    Object v = m.get(key);
    return v instanceof String s ? s : null;
  }

  /** A number, or one of the strings Jackson writes for non-finite doubles and the export writes for bucket edges. */
  static double number(Object v, String path) {
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    if (v instanceof String s) {
      switch (s) {
        case "inf", "Infinity" -> {
          return Double.POSITIVE_INFINITY;
        }
        case "-inf", "-Infinity" -> {
          return Double.NEGATIVE_INFINITY;
        }
        case "NaN" -> {
          return Double.NaN;
        }
        default -> { }
      }
    }
    throw new ExportFormatException(path + " must be a number");
  }

  static double number(Map<String, Object> m, String key, String path) {
    return number(get(m, key, path), path + "." + key);
  }

  static Double optionalNumber(Map<String, Object> m, String key, String path) {
    Object v = m.get(key);
    return v == null ? null : number(v, path + "." + key);
  }

  static boolean bool(Map<String, Object> m, String key, String path) {
    Object v = get(m, key, path);
    if (!(v instanceof Boolean b)) {
      throw new ExportFormatException(path + "." + key + " must be true or false");
    }
    return b;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> object(Object v, String path) {
    if (!(v instanceof Map)) {
      throw new ExportFormatException(path + " must be an object");
    }
    return (Map<String, Object>) v;
  }

  static Map<String, Object> object(Map<String, Object> m, String key, String path) {
    return object(get(m, key, path), path + "." + key);
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object v, String path) {
    if (!(v instanceof List)) {
      throw new ExportFormatException(path + " must be an array");
    }
    return (List<Object>) v;
  }

  static List<Object> list(Map<String, Object> m, String key, String path) {
    return list(get(m, key, path), path + "." + key);
  }

  static double[] numbers(Object v, String path) {
    List<Object> l = list(v, path);
    double[] out = new double[l.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = number(l.get(i), path + "[" + i + "]");
    }
    return out;
  }

  static List<String> strings(Object v, String path) {
    List<Object> l = list(v, path);
    for (int i = 0; i < l.size(); i++) {
      if (!(l.get(i) instanceof String)) {
        throw new ExportFormatException(path + "[" + i + "] must be a string");
      }
    }
    return l.stream().map(String.class::cast).toList();
  }
}
