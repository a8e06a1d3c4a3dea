package dev.glmpipe.scorer;

import java.util.ArrayList;
import java.util.List;

/**
 * One margin {@code x · w + intercept}, summed as the batch's compiled scorer sums it, so the
 * two agree to the bit: one term per dense slot ({@code x * w}; a sparse model skips its zero
 * weights, as MLlib's BLAS skips the zeros it does not store) and one per one-hot block (the
 * hot slot's weight; a block whose weights are all zero has none), added left to right in
 * chunks of {@link #CHUNK} terms, the chunks' sums then added left to right, then the
 * intercept.
 */
final class LinearForm {
  /** The compiled scorer's partial-sum size ({@code PipelineCompiler.CHUNK}). */
  static final int CHUNK = 10;

  /** Per term: the dense slot it reads, or -1 - the hot block it reads. */
  private final int[] ref;
  /** Per dense term its weight. */
  private final double[] weight;
  /** Per hot term the weights of its block's slots, plus 0.0 for "no slot hot". */
  private final double[][] slice;
  private final double intercept;

  private LinearForm(int[] ref, double[] weight, double[][] slice, double intercept) {
    this.ref = ref;
    this.weight = weight;
    this.slice = slice;
    this.intercept = intercept;
  }

  /**
   * @param w the weights in vector order
   * @param sparse whether MLlib holds them sparse
   */
  static LinearForm of(List<VectorBlock> blocks, double[] w, double intercept, boolean sparse) {
    List<int[]> refs = new ArrayList<>();
    List<Double> weights = new ArrayList<>();
    List<double[]> slices = new ArrayList<>();
    int offset = 0;
    for (VectorBlock b : blocks) {
      if (b instanceof VectorBlock.Scaled s) {
        addDense(refs, weights, slices, s.at(), w[offset], sparse);
      } else if (b instanceof VectorBlock.Plain p) {
        addDense(refs, weights, slices, p.at(), w[offset], sparse);
      } else if (b instanceof VectorBlock.Bool x) {
        addDense(refs, weights, slices, x.at(), w[offset], sparse);
      } else {
        double[] s = new double[b.width() + 1];
        boolean any = false;
        for (int i = 0; i < b.width(); i++) {
          s[i] = w[offset + i];
          any |= s[i] != 0.0;
        }
        if (any) {
          refs.add(new int[] {-1 - hotIndex(b)});
          weights.add(0.0);
          slices.add(s);
        }
      }
      offset += b.width();
    }
    int[] ref = refs.stream().mapToInt(r -> r[0]).toArray();
    return new LinearForm(ref, weights.stream().mapToDouble(Double::doubleValue).toArray(), slices.toArray(double[][]::new),
        intercept);
  }

  private static void addDense(List<int[]> refs, List<Double> weights, List<double[]> slices, int at, double w, boolean sparse) {
    if (!sparse || w != 0.0) {
      refs.add(new int[] {at});
      weights.add(w);
      slices.add(null);
    }
  }

  private static int hotIndex(VectorBlock b) {
    if (b instanceof VectorBlock.Bucketed x) {
      return x.at();
    }
    if (b instanceof VectorBlock.Levels x) {
      return x.at();
    }
    return ((VectorBlock.Hashed) b).at();
  }

  private double term(int i, double[] dense, int[] hot) {
    int r = ref[i];
    return r >= 0 ? dense[r] * weight[i] : slice[i][hot[-1 - r]];
  }

  double margin(double[] dense, int[] hot) {
    int n = ref.length;
    if (n == 0) {
      return intercept;
    }
    double total;
    if (n <= CHUNK) {
      total = term(0, dense, hot);
      for (int i = 1; i < n; i++) {
        total += term(i, dense, hot);
      }
    } else {
      total = 0.0;
      for (int from = 0; from < n; from += CHUNK) {
        double partial = term(from, dense, hot);
        for (int i = from + 1; i < Math.min(n, from + CHUNK); i++) {
          partial += term(i, dense, hot);
        }
        total = from == 0 ? partial : total + partial;
      }
    }
    return total + intercept;
  }
}
