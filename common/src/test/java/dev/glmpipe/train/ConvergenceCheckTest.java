package dev.glmpipe.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glmpipe.GlmpipeException;
import org.junit.jupiter.api.Test;

class ConvergenceCheckTest {
  @Test
  void aDecreasingHistoryThatStoppedEarlyConverged() {
    ConvergenceCheck.Convergence c = ConvergenceCheck.check(new double[] {0.69, 0.5, 0.45, 0.449}, 3, 100, null, false);
    assertThat(c.converged()).isTrue();
    assertThat(c.status()).isEqualTo("converged");
  }

  @Test
  void usingEveryIterationIsNotConverging() {
    ConvergenceCheck.Convergence c = ConvergenceCheck.check(new double[] {0.69, 0.6, 0.55}, 2, 2, null, false);
    assertThat(c.status()).isEqualTo("max_iter");
    assertThat(c.reason()).contains("max_iter=2");
    // A solver that says it met its tolerance on the last allowed step did converge.
    assertThat(ConvergenceCheck.check(new double[] {0.69, 0.6, 0.55}, 2, 2, true, false).converged()).isTrue();
  }

  @Test
  void nanAnywhereFails() {
    ConvergenceCheck.Convergence c = ConvergenceCheck.check(new double[] {0.69, Double.NaN, 0.5}, 2, 100, null, false);
    assertThat(c.status()).isEqualTo("nan_objective");
    assertThat(c.reason()).contains("iteration 1");
  }

  @Test
  void risingObjectiveFails() {
    assertThat(ConvergenceCheck.check(new double[] {0.69, 0.5, 0.7}, 2, 100, null, false).status()).isEqualTo("rising");
    // Below the relative tolerance it is rounding, not rising.
    assertThat(ConvergenceCheck.check(new double[] {0.69, 0.5, 0.5 + 1e-9}, 2, 100, null, false).converged()).isTrue();
  }

  @Test
  void miniBatchNoiseIsJudgedOnAverages() {
    double[] noisy = new double[40];
    for (int i = 0; i < noisy.length; i++) {
      noisy[i] = 1.0 / (1 + i) + (i % 2 == 0 ? 0.05 : -0.05);  // falling, but zig-zagging up every other step
    }
    assertThat(ConvergenceCheck.check(noisy, 40, 100, null, true).converged()).isTrue();
    double[] diverging = new double[40];
    for (int i = 0; i < diverging.length; i++) {
      diverging[i] = Math.exp(i / 5.0);
    }
    assertThat(ConvergenceCheck.check(diverging, 40, 100, null, true).status()).isEqualTo("rising");
  }

  @Test
  void aModelThatDidNotConvergeIsRejectedUnlessAllowed() {
    ConvergenceCheck.Convergence failed = ConvergenceCheck.check(new double[] {0.69, 0.6, 0.55}, 2, 2, null, false);
    assertThatThrownBy(() -> ConvergenceCheck.decide(failed, false))
        .isInstanceOfSatisfying(GlmpipeException.class, e -> assertThat(e.exitCode()).isEqualTo(GlmpipeException.EXIT_MODEL_REJECTED))
        .hasMessageContaining("not converged (max_iter)").hasMessageContaining("no version written");
    assertThat(ConvergenceCheck.decide(failed, true))
        .isEqualTo(new ConvergenceCheck.Decision("max_iter", false, failed.reason(), "accepted_not_converged"));
    ConvergenceCheck.Convergence ok = ConvergenceCheck.check(new double[] {0.69, 0.5, 0.45, 0.449}, 3, 100, null, false);
    assertThat(ConvergenceCheck.decide(ok, false).decision()).isEqualTo("accepted");
  }
}
