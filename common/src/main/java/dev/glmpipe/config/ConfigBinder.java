package dev.glmpipe.config;

import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Binds a parsed YAML tree (maps, lists, scalars) to immutable config records.
 *
 * <p>Every record component is a required key named in snake_case unless marked
 * {@link ConfigOptional}; unknown keys are errors. Every error names the full key path, so a
 * typo in a 200-line config points at the line to fix. Supported leaf types: String, int, long,
 * double, boolean (and boxed), LocalDate, enums (matched case-insensitively), List, Map with
 * String keys, nested records, and types with a {@code fromConfig(Object)} factory.
 */
public final class ConfigBinder {
  private ConfigBinder() {}

  public static <T> T bind(Object tree, Class<T> type) {
    return type.cast(bindValue(tree, type, ""));
  }

  private static Object bindValue(Object node, Type type, String path) {
    if (type instanceof ParameterizedType p) {
      Class<?> raw = (Class<?>) p.getRawType();
      if (List.class.isAssignableFrom(raw)) {
        return bindList(node, p.getActualTypeArguments()[0], path);
      }
      if (Map.class.isAssignableFrom(raw)) {
        return bindMap(node, p.getActualTypeArguments()[1], path);
      }
      throw new IllegalStateException("unsupported config type " + type + " at " + path);
    }
    Class<?> cls = (Class<?>) type;
    java.lang.reflect.Method factory = factoryOf(cls);
    if (factory != null) {
      return bindWithFactory(factory, node, path);
    }
    if (cls.isRecord()) {
      return bindRecord(node, cls, path);
    }
    return bindScalar(node, cls, path);
  }

  private static Object bindRecord(Object node, Class<?> cls, String path) {
    if (!(node instanceof Map<?, ?> map)) {
      throw new ConfigException(display(path), "expected a mapping of keys, got " + describe(node));
    }
    RecordComponent[] components = cls.getRecordComponents();
    Set<String> known = new TreeSet<>();
    Object[] args = new Object[components.length];
    for (int i = 0; i < components.length; i++) {
      RecordComponent c = components[i];
      String key = keyOf(c);
      known.add(key);
      String childPath = path.isEmpty() ? key : path + "." + key;
      Object child = map.get(key);
      boolean optional = c.isAnnotationPresent(ConfigOptional.class);
      if (child == null) {
        if (!optional) {
          throw new ConfigException(childPath, map.containsKey(key) ? "must have a value" : "is required but missing");
        }
        args[i] = c.getType().isPrimitive() ? primitiveDefault(c.getType()) : null;
      } else {
        args[i] = bindValue(child, c.getGenericType(), childPath);
      }
    }
    for (Object key : map.keySet()) {
      if (!known.contains(String.valueOf(key))) {
        String childPath = path.isEmpty() ? String.valueOf(key) : path + "." + key;
        throw new ConfigException(childPath, "unknown key (known keys here: " + String.join(", ", known) + ")");
      }
    }
    try {
      Constructor<?> ctor = cls.getDeclaredConstructor(
          Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
      ctor.setAccessible(true);
      return ctor.newInstance(args);
    } catch (java.lang.reflect.InvocationTargetException e) {
      // Compact constructors validate their own fields and name them relative to the record.
      if (e.getCause() instanceof InvalidValue bad) {
        String childPath = path.isEmpty() ? bad.key : path + "." + bad.key;
        throw new ConfigException(childPath, bad.getMessage());
      }
      throw new IllegalStateException("cannot build " + cls.getSimpleName() + " at " + display(path), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build " + cls.getSimpleName(), e);
    }
  }

  private static List<Object> bindList(Object node, Type element, String path) {
    if (!(node instanceof List<?> list)) {
      throw new ConfigException(display(path), "expected a list, got " + describe(node));
    }
    List<Object> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      String childPath = path + "[" + i + "]";
      if (list.get(i) == null) {
        throw new ConfigException(childPath, "must have a value");
      }
      out.add(bindValue(list.get(i), element, childPath));
    }
    return List.copyOf(out);
  }

  private static Map<String, Object> bindMap(Object node, Type valueType, String path) {
    if (!(node instanceof Map<?, ?> map)) {
      throw new ConfigException(display(path), "expected a mapping, got " + describe(node));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String childPath = path + "." + e.getKey();
      if (e.getValue() == null) {
        throw new ConfigException(childPath, "must have a value");
      }
      out.put(String.valueOf(e.getKey()), bindValue(e.getValue(), valueType, childPath));
    }
    return java.util.Collections.unmodifiableMap(out);
  }

  private static Object bindScalar(Object node, Class<?> cls, String path) {
    if (node instanceof Map || node instanceof List) {
      throw new ConfigException(path, "expected a single value, got " + describe(node));
    }
    String text = String.valueOf(node).trim();
    try {
      if (cls == String.class) {
        return String.valueOf(node);
      }
      if (cls == int.class || cls == Integer.class) {
        return node instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
            ? Math.toIntExact(n.longValue()) : Integer.parseInt(text);
      }
      if (cls == long.class || cls == Long.class) {
        if (node instanceof Double || node instanceof Float) {
          throw new NumberFormatException(text);
        }
        return node instanceof Number n ? n.longValue() : Long.parseLong(text);
      }
      if (cls == double.class || cls == Double.class) {
        double d = node instanceof Number n ? n.doubleValue() : Double.parseDouble(text);
        if (!Double.isFinite(d)) {
          throw new ConfigException(path, "must be a finite number, got '" + text + "'");
        }
        return d;
      }
      if (cls == boolean.class || cls == Boolean.class) {
        if (node instanceof Boolean b) {
          return b;
        }
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
          return Boolean.parseBoolean(text);
        }
        throw new ConfigException(path, "expected true or false, got '" + text + "'");
      }
      if (cls == LocalDate.class) {
        return node instanceof java.util.Date d
            ? d.toInstant().atZone(java.time.ZoneOffset.UTC).toLocalDate() : LocalDate.parse(text);
      }
      if (cls.isEnum()) {
        for (Object constant : cls.getEnumConstants()) {
          if (((Enum<?>) constant).name().equalsIgnoreCase(text)) {
            return constant;
          }
        }
        List<String> names = new ArrayList<>();
        for (Object constant : cls.getEnumConstants()) {
          names.add(((Enum<?>) constant).name().toLowerCase(Locale.ROOT));
        }
        throw new ConfigException(path, "expected one of " + names + ", got '" + text + "'");
      }
    } catch (NumberFormatException | ArithmeticException e) {
      throw new ConfigException(path, "expected " + typeName(cls) + ", got '" + text + "'");
    } catch (DateTimeParseException e) {
      throw new ConfigException(path, "expected a date YYYY-MM-DD, got '" + text + "'");
    }
    throw new IllegalStateException("unsupported config type " + cls + " at " + path);
  }

  /**
   * A type that takes more than one shape in YAML (a word or a mapping, say) binds itself
   * through {@code public static T fromConfig(Object node)}; it throws IllegalArgumentException
   * (or {@link InvalidValue} for a key inside the node) and the binder adds the key path.
   */
  private static java.lang.reflect.Method factoryOf(Class<?> cls) {
    try {
      java.lang.reflect.Method m = cls.getMethod("fromConfig", Object.class);
      return java.lang.reflect.Modifier.isStatic(m.getModifiers()) && m.getReturnType() == cls ? m : null;
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  private static Object bindWithFactory(java.lang.reflect.Method factory, Object node, String path) {
    try {
      return factory.invoke(null, node);
    } catch (java.lang.reflect.InvocationTargetException e) {
      if (e.getCause() instanceof InvalidValue bad) {
        throw new ConfigException(path.isEmpty() ? bad.key : path + "." + bad.key, bad.getMessage());
      }
      if (e.getCause() instanceof IllegalArgumentException bad) {
        throw new ConfigException(display(path), bad.getMessage());
      }
      throw new IllegalStateException("cannot bind " + display(path), e.getCause());
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot bind " + display(path), e);
    }
  }

  /** Thrown by a record's compact constructor; the binder prefixes the record's path. */
  public static final class InvalidValue extends RuntimeException {
    private final String key;

    public InvalidValue(String key, String problem) {
      super(problem);
      this.key = key;
    }
  }

  static String keyOf(RecordComponent c) {
    ConfigKey explicit = c.getAnnotation(ConfigKey.class);
    return explicit != null ? explicit.value() : snakeCase(c.getName());
  }

  static String snakeCase(String camel) {
    StringBuilder b = new StringBuilder();
    for (char ch : camel.toCharArray()) {
      if (Character.isUpperCase(ch)) {
        b.append('_').append(Character.toLowerCase(ch));
      } else {
        b.append(ch);
      }
    }
    return b.toString();
  }

  private static Object primitiveDefault(Class<?> type) {
    if (type == boolean.class) {
      return false;
    }
    if (type == int.class) {
      return 0;
    }
    if (type == long.class) {
      return 0L;
    }
    return 0.0;
  }

  private static String typeName(Class<?> cls) {
    if (cls == int.class || cls == Integer.class || cls == long.class || cls == Long.class) {
      return "a whole number";
    }
    return "a number";
  }

  private static String describe(Object node) {
    if (node instanceof Map) {
      return "a mapping";
    }
    if (node instanceof List) {
      return "a list";
    }
    return "'" + node + "'";
  }

  private static String display(String path) {
    return path.isEmpty() ? "(top level)" : path;
  }
}
