package dev.glmpipe.runs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunMetricsTest {
  private static RunRecord withGauges(int exitCode, Map<String, Double> gauges) {
    RunRecord r = RunRecordsTest.record("run-1", "export", "2026-11-07T02:00:00Z", exitCode);
    return new RunRecord(r.runId(), r.job(), r.status(), r.exitCode(), r.errorClass(), r.error(), r.model(), "v7",
        List.of(), r.startedAt(), "2026-11-07T02:00:10Z", 10.0, Map.of("startup", 4.0, "onnx", 6.0), 10L, null, 1L, 100L,
        50L, 0.2, 0.01, 0L, 0L, 0L, 0L, 4L, "app", "local", 1, "3.5.9", "ab", "c0ffee", "dev", gauges);
  }

  @Test
  void theLastSuccessIsPushedOnlyBySuccessAndEachFigureOnlyWhenTheRunHadIt() {
    double ended = java.time.Instant.parse("2026-11-07T02:00:10Z").getEpochSecond();
    Map<String, Double> ok = RunMetrics.unlabelled(RunMetrics.registry(withGauges(0, Map.of("monitor_max_psi", 0.31))));
    assertThat(ok).containsEntry("glmpipe_last_success_timestamp_seconds", ended)
        .containsEntry("glmpipe_run_end_timestamp_seconds", ended)
        .containsEntry("glmpipe_run_duration_seconds", 10.0)
        .containsEntry("glmpipe_run_exit_code", 0.0)
        .containsEntry("glmpipe_run_quarantine_ratio", 0.1)
        .containsEntry("glmpipe_monitor_max_psi", 0.31);
    Map<String, Double> failed = RunMetrics.unlabelled(RunMetrics.registry(withGauges(3, Map.of())));
    assertThat(failed).doesNotContainKey("glmpipe_last_success_timestamp_seconds").containsEntry("glmpipe_run_exit_code", 3.0);
  }

  @Test
  void theChampionsTimestampAndTheModelVersionCarryTheVersion() {
    var registry = RunMetrics.registry(withGauges(0, Map.of("champion_since_timestamp_seconds", 1.7e9)));
    var names = registry.scrape().stream().map(s -> s.getMetadata().getPrometheusName()).toList();
    assertThat(names).contains("glmpipe_champion_since_timestamp_seconds", "glmpipe_model_version");
    var since = registry.scrape().stream()
        .filter(s -> s.getMetadata().getPrometheusName().equals("glmpipe_champion_since_timestamp_seconds")).findFirst().orElseThrow();
    assertThat(since.getDataPoints().get(0).getLabels().get("version")).isEqualTo("v7");
  }
}
