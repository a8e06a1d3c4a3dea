package dev.glmpipe.features;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Counts per long key in an open-addressing table of two primitive arrays: no boxing and no
 * allocation per value, for {@link DayHistograms}' per-value updates. {@link Long#MIN_VALUE}
 * marks an empty slot and cannot be a key (bucket keys are small).
 */
final class LongCounts implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final long EMPTY = Long.MIN_VALUE;

  private long[] keys;
  private long[] counts;
  private int size;

  LongCounts() {
    keys = new long[16];
    counts = new long[16];
    Arrays.fill(keys, EMPTY);
  }

  void add(long key, long n) {
    int mask = keys.length - 1;
    int i = slot(key, mask);
    while (true) {
      long k = keys[i];
      if (k == key) {
        counts[i] += n;
        return;
      }
      if (k == EMPTY) {
        keys[i] = key;
        counts[i] = n;
        if (++size * 2 > keys.length) {
          grow();
        }
        return;
      }
      i = (i + 1) & mask;
    }
  }

  int size() {
    return size;
  }

  void addAll(LongCounts other) {
    for (int i = 0; i < other.keys.length; i++) {
      if (other.keys[i] != EMPTY) {
        add(other.keys[i], other.counts[i]);
      }
    }
  }

  /** {keys, counts}, by ascending key. */
  long[][] sorted() {
    long[] k = new long[size];
    int n = 0;
    for (long key : keys) {
      if (key != EMPTY) {
        k[n++] = key;
      }
    }
    Arrays.sort(k);
    long[] c = new long[size];
    for (int i = 0; i < size; i++) {
      c[i] = get(k[i]);
    }
    return new long[][] {k, c};
  }

  long get(long key) {
    int mask = keys.length - 1;
    for (int i = slot(key, mask); ; i = (i + 1) & mask) {
      if (keys[i] == key) {
        return counts[i];
      }
      if (keys[i] == EMPTY) {
        return 0;
      }
    }
  }

  private static int slot(long key, int mask) {
    return (int) ((key * 0x9E3779B97F4A7C15L) >>> 40) & mask;
  }

  private void grow() {
    long[] oldKeys = keys;
    long[] oldCounts = counts;
    keys = new long[oldKeys.length * 2];
    counts = new long[oldKeys.length * 2];
    Arrays.fill(keys, EMPTY);
    size = 0;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != EMPTY) {
        add(oldKeys[i], oldCounts[i]);
      }
    }
  }
}
