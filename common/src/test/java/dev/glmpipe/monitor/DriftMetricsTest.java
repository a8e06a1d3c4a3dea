package dev.glmpipe.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.glmpipe.monitor.DriftMetrics.Bands;
import dev.glmpipe.monitor.DriftMetrics.Status;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DriftMetricsTest {
  private static final double TOL = 1e-12;

  @Test
  void psiOfThreeBinsIsTheSumWrittenOut() {
    // shares: expected 0.2 0.3 0.5, actual 0.4 0.4 0.2
    long[] expected = {20, 30, 50};
    long[] actual = {40, 40, 20};
    double byHand = (0.4 - 0.2) * Math.log(0.4 / 0.2)
        + (0.4 - 0.3) * Math.log(0.4 / 0.3)
        + (0.2 - 0.5) * Math.log(0.2 / 0.5);
    assertThat(DriftMetrics.psi(expected, actual)).isCloseTo(byHand, within(TOL));
  }

  @Test
  void sharesAreTakenOfEachSidesOwnTotal() {
    // The same shares from samples of different sizes: no drift.
    double[] expected = {1, 2, 7};
    double[] actual = {100, 200, 700};
    assertThat(DriftMetrics.psi(expected, actual)).isCloseTo(0, within(TOL));
    assertThat(DriftMetrics.jensenShannonDistance(expected, actual)).isCloseTo(0, within(1e-7));
    assertThat(DriftMetrics.lInfinity(expected, actual)).isCloseTo(0, within(TOL));
  }

  @Test
  void identicalDistributionsGiveZeroForAllThree() {
    long[] counts = {5, 0, 17, 3, 0, 75};
    assertThat(DriftMetrics.psi(counts, counts)).isZero();
    assertThat(DriftMetrics.jensenShannonDistance(counts, counts)).isZero();
    assertThat(DriftMetrics.lInfinity(counts, counts)).isZero();
  }

  @Test
  void psiIsSymmetric() {
    Random random = new Random(7);
    for (int trial = 0; trial < 50; trial++) {
      long[] e = new long[8];
      long[] a = new long[8];
      for (int i = 0; i < 8; i++) {
        e[i] = random.nextInt(4) == 0 ? 0 : random.nextInt(1000);  // some empty bins on either side
        a[i] = random.nextInt(4) == 0 ? 0 : random.nextInt(1000);
      }
      e[0] += 1;  // never an all-empty side
      a[0] += 1;
      assertThat(DriftMetrics.psi(e, a)).isCloseTo(DriftMetrics.psi(a, e), within(TOL)).isGreaterThanOrEqualTo(0);
    }
  }

  @Test
  void smoothingReplacesOnlyEmptyShares() {
    // Bin 2 is empty in actual, bin 3 empty on both sides; the others are left as they are.
    long[] expected = {50, 25, 25, 0};
    long[] actual = {60, 40, 0, 0};
    double eps = 1e-3;
    double byHand = (0.6 - 0.5) * Math.log(0.6 / 0.5)
        + (0.4 - 0.25) * Math.log(0.4 / 0.25)
        + (eps - 0.25) * Math.log(eps / 0.25)
        + 0;  // eps against eps
    assertThat(DriftMetrics.psi(expected, actual, eps)).isCloseTo(byHand, within(TOL));
    double withDefault = (0.6 - 0.5) * Math.log(0.6 / 0.5)
        + (0.4 - 0.25) * Math.log(0.4 / 0.25)
        + (DriftMetrics.DEFAULT_EPSILON - 0.25) * Math.log(DriftMetrics.DEFAULT_EPSILON / 0.25);
    assertThat(DriftMetrics.psi(expected, actual)).isCloseTo(withDefault, within(TOL)).isFinite();
  }

  @Test
  void jensenShannonOfThreeBinsIsTheSumWrittenOut() {
    double[] e = {0.2, 0.3, 0.5};
    double[] a = {0.4, 0.4, 0.2};
    double divergence = 0;
    for (int i = 0; i < 3; i++) {
      double m = (e[i] + a[i]) / 2;
      divergence += 0.5 * a[i] * Math.log(a[i] / m) + 0.5 * e[i] * Math.log(e[i] / m);
    }
    assertThat(DriftMetrics.jensenShannonDistance(new long[] {20, 30, 50}, new long[] {40, 40, 20}))
        .isCloseTo(Math.sqrt(divergence), within(TOL));
  }

  @Test
  void jensenShannonReachesSqrtLn2ForDisjointSupports() {
    assertThat(DriftMetrics.jensenShannonDistance(new long[] {1, 0}, new long[] {0, 1}))
        .isEqualTo(Math.sqrt(Math.log(2)));
    assertThat(DriftMetrics.jensenShannonDistance(new long[] {3, 7, 0, 0, 0}, new long[] {0, 0, 1, 1, 5}))
        .isCloseTo(Math.sqrt(Math.log(2)), within(TOL));
  }

  @Test
  void jensenShannonStaysWithinItsBounds() {
    Random random = new Random(11);
    for (int trial = 0; trial < 50; trial++) {
      long[] e = new long[6];
      long[] a = new long[6];
      for (int i = 0; i < 6; i++) {
        e[i] = random.nextInt(3) == 0 ? 0 : random.nextInt(100);
        a[i] = random.nextInt(3) == 0 ? 0 : random.nextInt(100);
      }
      e[0] += 1;
      a[5] += 1;
      assertThat(DriftMetrics.jensenShannonDistance(e, a)).isBetween(0.0, Math.sqrt(Math.log(2)) + TOL);
    }
  }

  @Test
  void lInfinityIsTheLargestShareDifference() {
    // shares: expected 0.2 0.3 0.5, actual 0.4 0.4 0.2: differences 0.2, 0.1, 0.3
    assertThat(DriftMetrics.lInfinity(new long[] {20, 30, 50}, new long[] {40, 40, 20})).isCloseTo(0.3, within(TOL));
    assertThat(DriftMetrics.lInfinity(new long[] {1, 0}, new long[] {0, 1})).isEqualTo(1.0);
  }

  @Test
  void emptyOrMismatchedInputsAreRejected() {
    assertThatThrownBy(() -> DriftMetrics.psi(new long[] {0, 0}, new long[] {0, 0}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("all zero");
    assertThatThrownBy(() -> DriftMetrics.psi(new long[] {1, 2}, new long[] {0, 0}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("actual counts are all zero");
    assertThatThrownBy(() -> DriftMetrics.jensenShannonDistance(new long[] {1, 2}, new long[] {1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("same bins");
    assertThatThrownBy(() -> DriftMetrics.lInfinity(new double[] {1, -1}, new double[] {1, 1}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(">= 0");
    assertThatThrownBy(() -> DriftMetrics.psi(new long[] {1}, new long[] {1}, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("epsilon");
  }

  @Test
  void statusFollowsTheThresholds() {
    Bands psi = Bands.PSI_DEFAULT;
    assertThat(psi.warn()).isEqualTo(0.1);
    assertThat(psi.alert()).isEqualTo(0.25);
    assertThat(psi.status(0)).isEqualTo(Status.OK);
    assertThat(psi.status(0.0999)).isEqualTo(Status.OK);
    assertThat(psi.status(0.1)).isEqualTo(Status.WARN);
    assertThat(psi.status(0.2499)).isEqualTo(Status.WARN);
    assertThat(psi.status(0.25)).isEqualTo(Status.ALERT);
    assertThat(psi.status(Double.POSITIVE_INFINITY)).isEqualTo(Status.ALERT);
    assertThatThrownBy(() -> psi.status(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Bands(0.3, 0.2)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void learnedBandsAreMeanPlusMultiplesOfThePopulationStd() {
    // 2 4 4 4 5 5 7 9: mean 5, squared deviations 9 1 1 1 0 0 4 16 sum to 32, population std sqrt(32/8) = 2.
    Bands bands = Bands.learned(new double[] {2, 4, 4, 4, 5, 5, 7, 9}, 3);
    assertThat(bands.alert()).isCloseTo(5 + 3 * 2, within(TOL));
    assertThat(bands.warn()).isCloseTo(5 + 2 * 2, within(TOL));
    assertThat(bands.status(8.9)).isEqualTo(Status.OK);
    assertThat(bands.status(9)).isEqualTo(Status.WARN);
    assertThat(bands.status(11)).isEqualTo(Status.ALERT);
    assertThatThrownBy(() -> Bands.learned(new double[0], 3)).isInstanceOf(IllegalArgumentException.class);
  }
}
