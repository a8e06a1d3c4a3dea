package dev.glmpipe;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A run's wall time split into its phases (read, check, write, publish, …). Each phase lasts
 * from its start to the start of the next one, so the phases add up to the run's time; a phase
 * entered several times (once per date, say) adds up. Operations name their phases through
 * {@code JobStages.describe}, which finds the run's clock by its run id.
 */
public final class PhaseClock {
  private static final Map<String, PhaseClock> RUNNING = new ConcurrentHashMap<>();

  private final LongSupplier nanos;
  private final Map<String, Long> spent = new LinkedHashMap<>();
  private String current;
  private long since;

  PhaseClock(String first, LongSupplier nanos) {
    this.nanos = nanos;
    this.current = first;
    this.since = nanos.getAsLong();
  }

  /** Starts the run's clock in phase {@code first} and makes it findable by {@link #enter(String, String)}. */
  public static PhaseClock start(String runId, String first) {
    PhaseClock clock = new PhaseClock(first, System::nanoTime);
    RUNNING.put(runId, clock);
    return clock;
  }

  /** Enters {@code phase} on the clock of run {@code runId}, if that run is timing its phases. */
  public static void enter(String runId, String phase) {
    PhaseClock clock = runId == null ? null : RUNNING.get(runId);
    if (clock != null) {
      clock.enter(phase);
    }
  }

  synchronized void enter(String phase) {
    if (!phase.equals(current)) {
      long now = nanos.getAsLong();
      spent.merge(current, now - since, Long::sum);
      current = phase;
      since = now;
    }
  }

  /** Stops the clock: seconds per phase, in the order phases were first entered. */
  public synchronized Map<String, Double> stop(String runId) {
    RUNNING.remove(runId, this);
    if (current != null) {
      spent.merge(current, nanos.getAsLong() - since, Long::sum);
      current = null;
    }
    Map<String, Double> seconds = new LinkedHashMap<>();
    spent.forEach((phase, n) -> seconds.put(phase, Math.round(n / 1e6) / 1e3));
    return seconds;
  }
}
