package dev.glmpipe.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BucketKeysTest {
  /** Negatives, zeros, subnormals, ±large, infinities and random values of every magnitude, sorted. */
  private static double[] sweep() {
    List<Double> values = new ArrayList<>(List.of(-Double.MAX_VALUE, -1e300, -12345.678, -1.0, -Double.MIN_NORMAL,
        -Double.MIN_VALUE * 7, -Double.MIN_VALUE, -0.0, 0.0, Double.MIN_VALUE, Double.MIN_VALUE * 3,
        Double.MIN_NORMAL / 2, Double.MIN_NORMAL, 1e-300, 0.1, 1.0, Math.nextUp(1.0), 2.0, 3.0, 1e15, 1e300,
        Double.MAX_VALUE, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY));
    SplittableRandom rnd = new SplittableRandom(3);
    for (int i = 0; i < 20_000; i++) {
      values.add(Double.longBitsToDouble(rnd.nextLong()));  // every exponent and sign
      values.add(rnd.nextGaussian() * Math.pow(10, rnd.nextInt(-5, 6)));
    }
    return values.stream().mapToDouble(Double::doubleValue).filter(d -> !Double.isNaN(d)).sorted().toArray();
  }

  @Test
  void keysAreMonotoneAndZerosShareOne() {
    double[] xs = sweep();
    for (int i = 1; i < xs.length; i++) {
      assertThat(BucketKeys.key(xs[i])).as("key(%s) vs key(%s)", xs[i - 1], xs[i])
          .isGreaterThanOrEqualTo(BucketKeys.key(xs[i - 1]));
    }
    assertThat(BucketKeys.key(-0.0)).isEqualTo(BucketKeys.key(0.0));
    assertThat(BucketKeys.key(-Double.MIN_VALUE)).isLessThan(BucketKeys.key(0.0));
    assertThat(BucketKeys.key(Double.MIN_VALUE)).isEqualTo(BucketKeys.key(0.0));  // one bucket of tiny values
  }

  @Test
  void everyValueLiesInItsBucketsHalfOpenInterval() {
    for (double x : sweep()) {
      long k = BucketKeys.key(x);
      double lower = BucketKeys.lowerBound(k);
      double upper = BucketKeys.lowerBound(k + 1);
      if (x != Double.NEGATIVE_INFINITY) {  // -inf's bucket has no double lower bound (NaN)
        assertThat(lower).as("lower bound of %s", x).isLessThanOrEqualTo(x);
        assertThat(BucketKeys.key(lower)).isEqualTo(k);
      }
      if (!Double.isNaN(upper)) {
        assertThat(x).as("upper bound of %s", x).isLessThan(upper);
        assertThat(BucketKeys.key(upper)).isEqualTo(k + 1);
      }
    }
  }

  @Test
  void bucketsAreAboutThreePercentWide() {
    for (double x : new double[] {1.0, 7.3, 1234.5, -0.02, 1e-7}) {
      long k = BucketKeys.key(x);
      double width = Math.abs(BucketKeys.lowerBound(k + 1) - BucketKeys.lowerBound(k));
      assertThat(width / Math.abs(x)).isLessThanOrEqualTo(1.0 / 32 + 1e-12);
    }
  }

  @Test
  void bucketCountsCountLikeAMap() {
    BucketCounts counts = new BucketCounts();
    java.util.Map<Long, Long> expected = new java.util.TreeMap<>();
    SplittableRandom rnd = new SplittableRandom(1);
    for (int i = 0; i < 50_000; i++) {
      long k = rnd.nextLong(-65_536, 65_536);  // every key BucketKeys can give
      counts.add(k, 1);
      expected.merge(k, 1L, Long::sum);
    }
    long[][] sorted = counts.sorted();
    assertThat(sorted[0]).containsExactly(expected.keySet().stream().mapToLong(Long::longValue).toArray());
    assertThat(sorted[1]).containsExactly(expected.values().stream().mapToLong(Long::longValue).toArray());
    assertThat(Arrays.stream(sorted[1]).sum()).isEqualTo(50_000);
  }
}
