package dev.glmpipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glmpipe.io.JsonFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --result-uri}: the one-line result also lands in a file, for schedulers that cannot
 * read the driver's stdout (EMR steps, Dataproc jobs and batches, EMR Serverless job runs).
 */
class ResultUriIT {
  @TempDir Path root;

  @Test
  void aSucceededRunWritesItsResultLineToTheFile() throws Exception {
    JobRunner jobs = new JobRunner(root, "datagen.rows_per_day=50");
    Path file = root.resolve("results").resolve("datagen.json");
    JobRunner.Run run = jobs.run("datagen", "--dt", "2026-11-07", "--run-id", "r-ok", "--result-uri", file.toUri().toString());
    assertThat(run.exitCode()).isZero();
    String written = Files.readString(file);
    assertThat(written).endsWith("\n").doesNotContain("\n\n");
    assertThat(written.strip()).isEqualTo(run.stdout().strip());
    assertThat(JsonFiles.MAPPER.readTree(written).get("run_id").asText()).isEqualTo("r-ok");
  }

  @Test
  void aFailedRunWritesItsFailureAndAnotherTryReplacesIt() throws Exception {
    JobRunner jobs = new JobRunner(root, "datagen.rows_per_day=50");
    Path file = root.resolve("results").resolve("preprocess.json");
    // No raw partition: exit 3, its one-line error in the result.
    JobRunner.Run failed = jobs.run("preprocess", "--dt", "2026-11-07", "--run-id", "r-1", "--result-uri", file.toUri().toString());
    assertThat(failed.exitCode()).isEqualTo(3);
    JsonNode result = JsonFiles.MAPPER.readTree(Files.readString(file));
    assertThat(result.get("status").asText()).isEqualTo("failed");
    assertThat(result.get("exit_code").asInt()).isEqualTo(3);
    assertThat(result.get("error").asText()).contains("dt=2026-11-07");

    jobs.ok("datagen", "--dt", "2026-11-07");
    JobRunner.Run ok = jobs.run("preprocess", "--dt", "2026-11-07", "--run-id", "r-2", "--result-uri", file.toUri().toString());
    assertThat(ok.exitCode()).isZero();
    JsonNode second = JsonFiles.MAPPER.readTree(Files.readString(file));
    assertThat(second.get("run_id").asText()).isEqualTo("r-2");
    assertThat(second.has("status")).isFalse();
  }
}
