package dev.glmpipe.features;

/**
 * Doubles mapped to monotone integer bucket keys, each bucket a half-open interval
 * {@code [lowerBound(k), lowerBound(k + 1))} about {@code 2^-MANTISSA_BITS} (3%) wide relative
 * to its values: the sign, the exponent and the top {@value #MANTISSA_BITS} mantissa bits of the
 * value. Counting values per key lets bin edges be chosen AFTER a pass and the counts still be
 * exact, as long as every edge is a bucket's lower bound ({@link DayHistograms}).
 *
 * <p>The key of x: its raw bits made order-preserving as a signed long (negative values have
 * every bit but the sign flipped), shifted right arithmetically. {@code -0.0} is first made
 * {@code 0.0}, so both have the key of 0.0 as SQL and Bucketizer compare them. NaN has no key:
 * callers count it as null. Keys lie in {@code [-2^16, 2^16)}.
 */
public final class BucketKeys {
  public static final int MANTISSA_BITS = 5;
  static final int SHIFT = 52 - MANTISSA_BITS;

  private BucketKeys() {}

  /** The bucket of {@code x} (not NaN). */
  public static long key(double x) {
    long bits = Double.doubleToRawLongBits(x + 0.0);
    long sortable = bits >= 0 ? bits : bits ^ Long.MAX_VALUE;
    return sortable >> SHIFT;
  }

  /**
   * The smallest double of bucket {@code k}. Not finite for the buckets of ±infinity (the
   * bucket of -infinity has none: its lower bound is NaN).
   */
  public static double lowerBound(long k) {
    long sortable = k << SHIFT;
    long bits = sortable >= 0 ? sortable : sortable ^ Long.MAX_VALUE;
    return Double.longBitsToDouble(bits);
  }
}
