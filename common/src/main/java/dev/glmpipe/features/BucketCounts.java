package dev.glmpipe.features;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Counts per {@link BucketKeys bucket key}, for {@link DayHistograms}' per-value updates. Keys
 * lie in {@code [-2^16, 2^16)}, so a key is an index: the counters sit in pages of 32 (one page
 * per sign and exponent, one counter per mantissa bucket), allocated when first touched. An
 * update is two array loads and an increment, with no hashing, boxing or allocation per value;
 * a column spanning a few orders of magnitude touches a few dozen pages.
 */
final class BucketCounts implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final int OFFSET = 1 << 16;
  private static final int PAGE_BITS = BucketKeys.MANTISSA_BITS;
  private static final int PAGE = 1 << PAGE_BITS;

  private final long[][] pages = new long[2 * OFFSET / PAGE][];
  private int size;

  void add(long key, long n) {
    if (key < -OFFSET || key >= OFFSET) {
      throw new IllegalArgumentException("bucket key out of range: " + key);
    }
    int at = (int) key + OFFSET;
    long[] page = pages[at >>> PAGE_BITS];
    if (page == null) {
      page = new long[PAGE];
      pages[at >>> PAGE_BITS] = page;
    }
    int slot = at & (PAGE - 1);
    if (page[slot] == 0 && n != 0) {
      size++;
    }
    page[slot] += n;
  }

  /** Keys counted at least once. */
  int size() {
    return size;
  }

  void addAll(BucketCounts other) {
    for (int p = 0; p < other.pages.length; p++) {
      long[] page = other.pages[p];
      if (page != null) {
        for (int s = 0; s < PAGE; s++) {
          if (page[s] != 0) {
            add(((long) p << PAGE_BITS) + s - OFFSET, page[s]);
          }
        }
      }
    }
  }

  /** {keys, counts} of the keys counted, by ascending key. */
  long[][] sorted() {
    long[] k = new long[size];
    long[] c = new long[size];
    int n = 0;
    for (int p = 0; p < pages.length; p++) {
      long[] page = pages[p];
      if (page != null) {
        for (int s = 0; s < PAGE; s++) {
          if (page[s] != 0) {
            k[n] = ((long) p << PAGE_BITS) + s - OFFSET;
            c[n++] = page[s];
          }
        }
      }
    }
    return new long[][] {Arrays.copyOf(k, n), Arrays.copyOf(c, n)};
  }

  long get(long key) {
    if (key < -OFFSET || key >= OFFSET) {
      return 0;
    }
    int at = (int) key + OFFSET;
    long[] page = pages[at >>> PAGE_BITS];
    return page == null ? 0 : page[at & (PAGE - 1)];
  }
}
