package dev.glmpipe;

import java.util.List;
import java.util.Map;

/**
 * What a run's result tells its run record and its metrics: rows in, out and quarantined, the
 * model version it made or used, the dates it worked on, and job-specific gauges (monitoring's
 * max PSI, say). Null where a job has no such figure.
 *
 * @param gauges pushed as {@code glmpipe_<name>}; names are lower_snake_case
 */
public record RunFigures(Long rowsIn, Long rowsOut, Long rowsQuarantined, String modelVersion, List<String> dates,
    Map<String, Double> gauges) {

  public RunFigures {
    dates = dates == null ? List.of() : List.copyOf(dates);
    gauges = gauges == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(gauges));
  }

  /** A result that carries figures for its run record. */
  public interface Source {
    /** Not a getter (no {@code get} prefix), so it stays out of the printed result. */
    RunFigures runFigures();
  }
}
