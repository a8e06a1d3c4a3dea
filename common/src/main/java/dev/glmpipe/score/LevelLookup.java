package dev.glmpipe.score;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_from_arrays;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.unsafe.hash.Murmur3_x86_32;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * StringIndexerModel's label → index map as a native expression.
 *
 * <p>Spark looks a key up in a literal map by scanning it, so a long label list is split into
 * buckets by Spark's {@code hash()} and only one small bucket is scanned per row.
 */
final class LevelLookup {
  /** Labels per bucket, on average, in the hashed form. */
  private static final int PER_BUCKET = 4;

  private LevelLookup() {}

  /**
   * {@code valueOf[i]} where {@code str} is {@code labels[i]}, and {@code invalid} for a null or
   * unknown string. With {@code valueOf[i] = i} this is the indexer itself; a stage after the
   * indexer can be folded into {@code valueOf}, so each string is matched once per row however
   * often the folded expression reads the index.
   */
  static Column lookup(Column str, String[] labels, int[] valueOf, Column invalid) {
    // MLlib builds its map from the labels in order, so a repeated label keeps its last index.
    Map<String, Integer> byLabel = new LinkedHashMap<>();
    for (int i = 0; i < labels.length; i++) {
      byLabel.remove(labels[i]);
      byLabel.put(labels[i], valueOf[i]);
    }
    if (byLabel.isEmpty()) {
      return invalid;
    }
    if (byLabel.size() <= PipelineCompiler.CASE_LABELS) {
      Column c = null;
      for (Map.Entry<String, Integer> e : byLabel.entrySet()) {
        Column cond = str.equalTo(lit(e.getKey()));
        c = c == null ? when(cond, lit(e.getValue())) : c.when(cond, lit(e.getValue()));
      }
      return c.otherwise(invalid);
    }
    int buckets = Math.max(1, byLabel.size() / PER_BUCKET);
    List<List<String>> keys = new ArrayList<>();
    List<List<Integer>> values = new ArrayList<>();
    for (int b = 0; b < buckets; b++) {
      keys.add(new ArrayList<>());
      values.add(new ArrayList<>());
    }
    for (Map.Entry<String, Integer> e : byLabel.entrySet()) {
      int b = Math.floorMod(sqlHash(e.getKey()), buckets);
      keys.get(b).add(e.getKey());
      values.get(b).add(e.getValue());
    }
    Column[] maps = new Column[buckets];
    for (int b = 0; b < buckets; b++) {
      maps[b] = map_from_arrays(
          lit(keys.get(b).toArray(String[]::new)).cast("array<string>"),
          lit(values.get(b).stream().mapToInt(Integer::intValue).toArray()).cast("array<int>"));
    }
    Column bucket = pmod(hash(str), lit(buckets));
    return coalesce(array(maps).apply(bucket).apply(str), invalid);
  }

  /** What Spark SQL's {@code hash(s)} gives a string: murmur3 (Spark's variant), seed 42. */
  static int sqlHash(String s) {
    UTF8String u = UTF8String.fromString(s);
    return Murmur3_x86_32.hashUnsafeBytes(u.getBaseObject(), u.getBaseOffset(), u.numBytes(), 42);
  }
}
