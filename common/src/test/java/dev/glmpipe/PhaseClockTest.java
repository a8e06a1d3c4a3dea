package dev.glmpipe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PhaseClockTest {
  @Test
  void phasesSplitTheRunsTimeAndAPhaseEnteredAgainAddsUp() {
    AtomicLong now = new AtomicLong();
    PhaseClock clock = new PhaseClock("startup", now::get);
    now.addAndGet(1_000_000_000L);
    clock.enter("read");
    now.addAndGet(2_500_000_000L);
    clock.enter("write");
    now.addAndGet(500_000_000L);
    clock.enter("read");
    now.addAndGet(1_000_000_000L);
    clock.enter("read"); // the same phase again: nothing to split
    now.addAndGet(250_000_000L);
    Map<String, Double> phases = clock.stop("run-1");
    assertThat(phases).containsExactly(Map.entry("startup", 1.0), Map.entry("read", 3.75), Map.entry("write", 0.5));
  }

  @Test
  void runsFindTheirOwnClockByRunIdAndAStoppedClockIsGone() {
    PhaseClock a = PhaseClock.start("run-a", "startup");
    PhaseClock b = PhaseClock.start("run-b", "startup");
    PhaseClock.enter("run-a", "score");
    PhaseClock.enter(null, "ignored");
    PhaseClock.enter("unknown-run", "ignored");
    assertThat(a.stop("run-a")).containsOnlyKeys("startup", "score");
    assertThat(b.stop("run-b")).containsOnlyKeys("startup");
    PhaseClock.enter("run-a", "late"); // after stop: no clock, no error
  }
}
