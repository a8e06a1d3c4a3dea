package dev.glmpipe.config;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A bound config record as a config tree again: the YAML key names, keys sorted, absent keys
 * left out, enums in lower case. Binding the tree gives an equal record, and two records that
 * mean the same give the same tree however their YAML was written, so its JSON is what a
 * config section's hash is computed from (the feature spec's, the data contract's).
 */
public final class ConfigTree {
  private ConfigTree() {}

  @SuppressWarnings("unchecked")
  public static Map<String, Object> of(Record record) {
    return (Map<String, Object>) tree(record);
  }

  private static Object tree(Object value) {
    if (value instanceof Record record) {
      Map<String, Object> out = new TreeMap<>();
      for (RecordComponent c : record.getClass().getRecordComponents()) {
        Object child = read(c, record);
        if (child != null) {
          out.put(ConfigBinder.keyOf(c), tree(child));
        }
      }
      return out;
    }
    if (value instanceof List<?> list) {
      return list.stream().map(ConfigTree::tree).toList();
    }
    if (value instanceof Enum<?> e) {
      return e.name().toLowerCase(Locale.ROOT);
    }
    return value;
  }

  private static Object read(RecordComponent c, Record record) {
    try {
      return c.getAccessor().invoke(record);
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("cannot read " + c.getName() + " of " + record.getClass().getSimpleName(), e);
    }
  }
}
