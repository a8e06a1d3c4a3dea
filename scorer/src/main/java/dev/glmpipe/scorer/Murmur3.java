package dev.glmpipe.scorer;

import java.nio.charset.StandardCharsets;

/**
 * MurmurHash3 x86 32-bit of a string's UTF-8 bytes, the standard algorithm (little-endian
 * blocks, the tail bytes mixed as one last block), as MLlib's FeatureHasher computes it for a
 * categorical value (Spark's {@code Murmur3_x86_32.hashUnsafeBytes2}).
 */
public final class Murmur3 {
  private static final int C1 = 0xcc9e2d51;
  private static final int C2 = 0x1b873593;

  private Murmur3() {}

  public static int hash(String s, int seed) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    int n = b.length;
    int aligned = n - n % 4;
    int h1 = seed;
    for (int i = 0; i < aligned; i += 4) {
      int k1 = (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xff) << 24;
      h1 ^= mixK1(k1);
      h1 = Integer.rotateLeft(h1, 13);
      h1 = h1 * 5 + 0xe6546b64;
    }
    int k1 = 0;
    for (int i = aligned, shift = 0; i < n; i++, shift += 8) {
      k1 ^= (b[i] & 0xff) << shift;
    }
    h1 ^= mixK1(k1);
    return fmix(h1, n);
  }

  private static int mixK1(int k1) {
    k1 *= C1;
    k1 = Integer.rotateLeft(k1, 15);
    return k1 * C2;
  }

  private static int fmix(int h1, int length) {
    h1 ^= length;
    h1 ^= h1 >>> 16;
    h1 *= 0x85ebca6b;
    h1 ^= h1 >>> 13;
    h1 *= 0xc2b2ae35;
    h1 ^= h1 >>> 16;
    return h1;
  }

  /** MLlib's {@code Utils.nonNegativeMod}: the bucket of a hash. */
  public static int bucket(int hash, int buckets) {
    int raw = hash % buckets;
    return raw < 0 ? raw + buckets : raw;
  }
}
