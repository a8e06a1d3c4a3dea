package dev.glmpipe.runs;

import java.util.List;
import java.util.Map;

/**
 * One run of one job, succeeded or failed: what an operator reads at 3 a.m. One JSON file per
 * run in the {@code runs} table (see {@link RunRecords}); README.md ("Run records") documents
 * each field.
 *
 * @param status {@code succeeded} or {@code failed}
 * @param phases seconds per phase of the job (startup, read, check, write, publish, …), in
 *     order; they add up to {@code durationSeconds}
 * @param spillBytes bytes spilled to disk by the run's tasks
 * @param peakExecutionMemoryBytes the largest execution memory one task held
 * @param executors executors that ran at least one of the run's tasks (the driver in local mode)
 * @param configSha256 SHA-256 of the effective config with secrets masked
 * @param codeCommit the git commit the jar was built from ({@code unknown} when built outside git)
 */
public record RunRecord(
    String runId, String job, String status, int exitCode, String errorClass, String error,
    String model, String modelVersion, List<String> dates,
    String startedAt, String endedAt, double durationSeconds, Map<String, Double> phases,
    Long rowsIn, Long rowsOut, Long rowsQuarantined,
    Long bytesRead, Long bytesWritten, Double executorCpuSeconds, Double gcSeconds,
    Long peakExecutionMemoryBytes, Long spillBytes, Long shuffleReadBytes, Long shuffleWriteBytes, Long tasks,
    String sparkAppId, String sparkMaster, Integer executors, String sparkVersion,
    String configSha256, String codeCommit, String codeVersion, Map<String, Double> gauges) {

  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";

  public boolean succeeded() {
    return SUCCEEDED.equals(status);
  }
}
