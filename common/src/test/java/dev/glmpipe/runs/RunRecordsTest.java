package dev.glmpipe.runs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunRecordsTest {
  @TempDir Path dir;

  static RunRecord record(String runId, String job, String startedAt, int exitCode) {
    return new RunRecord(runId, job, exitCode == 0 ? RunRecord.SUCCEEDED : RunRecord.FAILED, exitCode, null, null,
        "churn", "v1", List.of("2026-11-07"), startedAt, startedAt, 1.5, Map.of("startup", 1.5),
        10L, 9L, 1L, 100L, 50L, 0.2, 0.01, 0L, 0L, 0L, 0L, 4L, "app-1", "local[2]", 1, "3.5.9",
        "ab", "c0ffee", "dev", Map.of());
  }

  @Test
  void airflowRunIdsMakeSafeDistinctFileNames() {
    String a = RunRecords.fileName("scheduled__2026-11-07T02:00:00+00:00.score.1");
    assertThat(a).matches("[A-Za-z0-9._=-]+\\.json").startsWith("scheduled__2026-11-07T02_00_00_00_00.score.1-");
    // Same safe characters, different ids: the hash keeps them apart.
    assertThat(RunRecords.fileName("a:b")).isNotEqualTo(RunRecords.fileName("a+b")).isNotEqualTo(RunRecords.fileName("a_b"));
  }

  @Test
  void oneRecordPerRunIdEvenWhenTheRerunStartsOnAnotherDay() throws Exception {
    RunRecords records = new RunRecords(new Configuration(), new org.apache.hadoop.fs.Path(dir.toUri()));
    String id = "manual__2026-11-07T23:59:00+00:00.score.1";
    records.write(record(id, "score", "2026-11-07T23:59:30Z", 3));
    records.write(record("other", "score", "2026-11-07T10:00:00Z", 0));
    records.write(record(id, "score", "2026-11-08T00:00:10Z", 0));

    try (Stream<Path> files = Files.walk(dir)) {
      assertThat(files.filter(f -> f.toString().endsWith(".json")).map(f -> dir.relativize(f).getParent().toString()))
          .containsExactlyInAnyOrder("dt=2026-11-07/job=score", "dt=2026-11-08/job=score");
    }
    assertThat(records.get(id).status()).isEqualTo(RunRecord.SUCCEEDED);
    assertThat(records.get("missing")).isNull();
    assertThat(records.list(LocalDate.parse("2026-11-07"), LocalDate.parse("2026-11-08"), null))
        .extracting(RunRecord::runId).containsExactly(id, "other");
    assertThat(records.list(LocalDate.parse("2026-11-07"), LocalDate.parse("2026-11-07"), "score"))
        .extracting(RunRecord::runId).containsExactly("other");
    assertThat(records.list(LocalDate.parse("2026-11-07"), LocalDate.parse("2026-11-08"), "train")).isEmpty();
  }
}
