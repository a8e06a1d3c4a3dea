package dev.glmpipe.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Masks values whose key looks like a secret before the effective config is logged. Secrets do
 * not belong in config files at all (credentials come from the platform's provider chain), but
 * a {@code --set} on a command line can still carry one.
 */
public final class ConfigRedactor {
  private static final Pattern SECRET_KEY = Pattern.compile(
      "(?i).*(secret|password|passwd|token|credential|access[._-]?key|private[._-]?key).*");

  private ConfigRedactor() {}

  @SuppressWarnings("unchecked")
  public static Map<String, Object> redact(Map<String, Object> tree) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : tree.entrySet()) {
      Object v = e.getValue();
      if (SECRET_KEY.matcher(e.getKey()).matches() && v != null && !(v instanceof Map)) {
        out.put(e.getKey(), "***");
      } else if (v instanceof Map) {
        out.put(e.getKey(), redact((Map<String, Object>) v));
      } else if (v instanceof List<?> list) {
        out.put(e.getKey(), list.stream().map(x -> x instanceof Map ? redact((Map<String, Object>) x) : x).toList());
      } else {
        out.put(e.getKey(), v);
      }
    }
    return out;
  }
}
