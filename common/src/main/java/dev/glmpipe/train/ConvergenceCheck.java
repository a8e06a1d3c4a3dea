package dev.glmpipe.train;

import dev.glmpipe.GlmpipeException;
import java.util.Locale;

/**
 * Whether a solver's run can be trusted, from its objective history:
 * <ul>
 *   <li>{@code nan_objective}: the objective is NaN or infinite at some iteration;
 *   <li>{@code rising}: the objective ended above where it was — for deterministic solvers
 *       above its own minimum by more than a relative 1e-6 (L-BFGS and full-batch gradient
 *       descent never go up when they work); for mini-batch gradient descent, whose objective
 *       is measured on a different sample each step, the mean of the last tenth of the history
 *       above the mean of the first tenth;
 *   <li>{@code max_iter}: the solver used every iteration it was allowed without meeting its
 *       tolerance;
 *   <li>{@code converged}, or {@code closed_form} for the normal equation (nothing to iterate).
 * </ul>
 */
public final class ConvergenceCheck {
  /** Relative rise of a deterministic objective above its minimum that counts as rising. */
  static final double RISE_TOLERANCE = 1e-6;

  private ConvergenceCheck() {}

  /** The verdict; {@code converged} is false for every status but converged and closed_form. */
  public record Convergence(String status, boolean converged, String reason) {
    static Convergence ok(String status, String reason) {
      return new Convergence(status, true, reason);
    }

    static Convergence failed(String status, String reason) {
      return new Convergence(status, false, reason);
    }
  }

  /**
   * The verdict and what was decided about it.
   *
   * @param status converged, closed_form, max_iter, nan_objective or rising
   * @param decision accepted, or accepted_not_converged when train.allow_non_convergence let a
   *     failed check through (a rejected model has no version)
   */
  public record Decision(String status, boolean converged, String reason, String decision) {}

  /**
   * The convergence policy: a model that did not converge is rejected (exit 4) before anything
   * is written, unless train.allow_non_convergence says to keep it anyway.
   */
  public static Decision decide(Convergence check, boolean allowNonConvergence) {
    if (check.converged()) {
      return new Decision(check.status(), true, check.reason(), "accepted");
    }
    if (!allowNonConvergence) {
      throw GlmpipeException.modelRejected("model rejected, not converged (" + check.status() + "): " + check.reason()
          + "; no version written (raise model.max_iter, adjust the solver, or set train.allow_non_convergence: true)");
    }
    return new Decision(check.status(), false, check.reason(), "accepted_not_converged");
  }

  /**
   * @param history objective at the start and after each iteration
   * @param iterations iterations the solver ran
   * @param maxIter the iteration limit it ran under
   * @param stoppedEarly true when the solver itself reported meeting its tolerance (null: infer
   *     from {@code iterations < maxIter})
   * @param noisy true when each objective value comes from a different mini-batch
   */
  public static Convergence check(double[] history, int iterations, int maxIter, Boolean stoppedEarly, boolean noisy) {
    for (int i = 0; i < history.length; i++) {
      if (!Double.isFinite(history[i])) {
        return Convergence.failed("nan_objective", "the objective is " + history[i] + " at iteration " + i);
      }
    }
    if (history.length >= 2) {
      double first = history[0];
      double last = history[history.length - 1];
      if (noisy) {
        int window = Math.max(1, history.length / 10);
        double head = mean(history, 0, window);
        double tail = mean(history, history.length - window, history.length);
        if (tail > head) {
          return Convergence.failed("rising", "the objective rose from " + fmt(head) + " to " + fmt(tail)
              + " (mean of the first and last " + window + " iterations): lower the step size");
        }
      } else {
        double min = first;
        for (double h : history) {
          min = Math.min(min, h);
        }
        if (last - min > RISE_TOLERANCE * Math.max(1.0, Math.abs(min))) {
          return Convergence.failed("rising", "the objective rose from " + fmt(min) + " to " + fmt(last));
        }
      }
    }
    boolean early = stoppedEarly != null ? stoppedEarly : iterations < maxIter;
    if (!early) {
      return Convergence.failed("max_iter", "the solver stopped at max_iter=" + maxIter + " without meeting its tolerance"
          + (history.length >= 2 ? " (last objective change " + fmt(Math.abs(history[history.length - 1] - history[history.length - 2])) + ")" : ""));
    }
    return Convergence.ok("converged", "converged in " + iterations + " iteration(s)");
  }

  /** The normal equation solves in one pass: nothing to converge. */
  public static Convergence closedForm() {
    return Convergence.ok("closed_form", "solved by the normal equation");
  }

  private static double mean(double[] a, int from, int to) {
    double s = 0;
    for (int i = from; i < to; i++) {
      s += a[i];
    }
    return s / (to - from);
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.6g", v);
  }
}
