package dev.glmpipe.runs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The heap's peak use: at least what was held at once, never more than the heap can hold. */
class HeapPeakTest {
  private static final int MB = 1 << 20;

  @Test
  void seesWhatWasHeldAtOnceAndStaysWithinTheMaximumHeap() throws Exception {
    HeapPeak.watch();
    long before = HeapPeak.bytes();
    // 256 MB held at once, then dropped, then many short-lived allocations that each force
    // collections of the young pool while the old pool is nearly empty again.
    byte[][] held = new byte[256][];
    for (int i = 0; i < held.length; i++) {
      held[i] = new byte[MB];
    }
    long sum = 0;
    for (byte[] b : held) {
      sum += b.length;
    }
    held = null;
    System.gc();
    for (int i = 0; i < 2000; i++) {
      sum += new byte[MB].length;
    }
    System.gc();
    Thread.sleep(200);  // notifications arrive on another thread

    assertThat(sum).isGreaterThan(0);
    assertThat(HeapPeak.bytes()).isGreaterThanOrEqualTo(Math.max(before, 256L * MB))
        .isLessThanOrEqualTo(Runtime.getRuntime().maxMemory());
  }
}
