package dev.glmpipe.evaluate;

import java.util.List;
import java.util.Map;

/** What evaluate decided for one version; export promotes only a version that passed. */
public record EvaluationReport(
    String model,
    String version,
    String evaluatedAt,
    long holdoutRows,
    Map<String, Double> metrics,
    Map<String, Double> minimum,
    Map<String, Double> maximum,
    boolean passed,
    List<String> failures) {}
