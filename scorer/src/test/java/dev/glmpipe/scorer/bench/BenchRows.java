package dev.glmpipe.scorer.bench;

import dev.glmpipe.scorer.ExportedModel;
import dev.glmpipe.scorer.InputType;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded records for a model, drawn from what its export knows: each level column's fitted
 * levels (and now and then an unseen value), numbers around the fitted imputation values,
 * timestamps over a year, and a few nulls. The benchmarks feed the same records to every scorer.
 */
final class BenchRows {
  private BenchRows() {}

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> of(ExportedModel model, int n, long seed) {
    Map<String, List<String>> levels = new HashMap<>();
    Map<String, Object> pre = (Map<String, Object>) model.document().get("preprocessing");
    for (Object o : (List<Object>) pre.get("levels")) {
      Map<String, Object> l = (Map<String, Object>) o;
      List<String> columns = (List<String>) l.get("columns");
      if ("categorical".equals(l.get("kind"))) {
        levels.put(columns.get(0), (List<String>) l.get("levels"));
      }
    }
    Map<String, Double> center = new HashMap<>();
    for (Object o : (List<Object>) pre.get("numeric")) {
      Map<String, Object> num = (Map<String, Object>) o;
      center.put((String) num.get("column"), num.get("impute_value") instanceof Number x ? Math.abs(x.doubleValue()) + 1 : 10.0);
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Map<String, Object> r = new LinkedHashMap<>();
      for (ExportedModel.InputColumn c : model.inputColumns()) {
        if (rnd.nextInt(50) == 0) {
          r.put(c.name(), null);
          continue;
        }
        InputType t = c.type();
        double mid = center.getOrDefault(c.name(), 10.0);
        Object v;
        if (t.integral()) {
          v = (long) Math.floor(rnd.nextDouble() * 2 * mid);
        } else if (t.numeric()) {
          v = Math.round(rnd.nextDouble() * 2 * mid * 100) / 100.0;
        } else if (t == InputType.BOOLEAN) {
          v = rnd.nextBoolean();
        } else if (t == InputType.TIMESTAMP) {
          v = Instant.ofEpochSecond(1_790_000_000L + rnd.nextLong(365L * 86_400));
        } else if (t == InputType.DATE) {
          v = LocalDate.ofEpochDay(20_700 + rnd.nextInt(365));
        } else {
          List<String> l = levels.get(c.name());
          v = l == null || l.isEmpty() || rnd.nextInt(40) == 0 ? "unseen-" + rnd.nextInt(5) : l.get(rnd.nextInt(l.size()));
        }
        r.put(c.name(), v);
      }
      out.add(r);
    }
    return out;
  }

  /** A record as a client's JSON sends it: timestamps and dates as ISO-8601 strings. */
  static Map<String, Object> json(Map<String, Object> r) {
    Map<String, Object> out = new LinkedHashMap<>();
    r.forEach((k, v) -> out.put(k, v instanceof Instant || v instanceof LocalDate ? v.toString() : v));
    return out;
  }
}
