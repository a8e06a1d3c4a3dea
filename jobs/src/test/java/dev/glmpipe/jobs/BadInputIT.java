package dev.glmpipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mistakes a user can make end with one clear line on stderr and the documented exit code. */
class BadInputIT {
  @TempDir Path root;

  private static void assertOneLineError(JobRunner.Run run, int exitCode, String expected) {
    assertThat(run.exitCode()).as(run.stderr()).isEqualTo(exitCode);
    assertFailedResult(run, exitCode);
    String firstLine = run.stderr().lines().filter(l -> l.startsWith("glmpipe ")).findFirst().orElse("");
    assertThat(firstLine).contains(expected);
    assertThat(run.stderr()).doesNotContain("\tat ");
  }

  /**
   * stdout carries the failed run's one-line result (status, exit code, error class and message)
   * once the job has started; a command line picocli rejects never reaches the job and prints none.
   */
  static void assertFailedResult(JobRunner.Run run, int exitCode) {
    assertThat(run.stdout().lines().count()).as(run.stdout()).isLessThanOrEqualTo(1);
    if (!run.stdout().isEmpty()) {
      com.fasterxml.jackson.databind.JsonNode result = run.json();
      assertThat(result.get("status").asText()).isEqualTo("failed");
      assertThat(result.get("exit_code").asInt()).isEqualTo(exitCode);
      assertThat(result.get("run_id").asText()).isNotBlank();
      assertThat(result.get("error_class").asText()).isNotBlank();
      assertThat(run.stderr()).contains(result.get("error").asText());
    }
  }

  @Test
  void aFailedRunPrintsItsResult() {
    JobRunner.Run run = new JobRunner(root).run("preprocess", "--dt", "2026-10-01", "--run-id", "nightly-7");
    assertThat(run.exitCode()).isEqualTo(3);
    assertThat(run.json().get("run_id").asText()).isEqualTo("nightly-7");
    assertThat(run.json().get("job").asText()).isEqualTo("preprocess");
    assertThat(run.json().get("error_class").asText()).isEqualTo("dev.glmpipe.GlmpipeException");
    assertFailedResult(run, 3);
  }

  @Test
  void unknownConfigKey() {
    JobRunner.Run run = new JobRunner(root, "model.regparam=0.1").run("train", "--dt", "2026-11-01");
    assertOneLineError(run, 2, "glmpipe train: error: config key 'model.regparam': unknown key");
  }

  @Test
  void missingConfigKey() {
    JobRunner.Run run = new JobRunner(root, "dataset.label=").run("preprocess", "--dt", "2026-11-01");
    assertOneLineError(run, 2, "config key 'dataset.label': must have a value");
  }

  @Test
  void missingConfigFile() {
    JobRunner.Run run = JobRunner.raw("score", "--conf", "nope.yaml", "--dt", "2026-11-01");
    assertOneLineError(run, 2, "config file 'nope.yaml': does not exist");
  }

  @Test
  void malformedDate() {
    JobRunner.Run run = new JobRunner(root).run("score", "--dt", "2026-13-01");
    assertOneLineError(run, 2, "'2026-13-01' is not a valid date in YYYY-MM-DD form");
  }

  @Test
  void halfADateRange() {
    JobRunner.Run run = new JobRunner(root).run("train", "--from", "2026-11-01");
    assertOneLineError(run, 2, "--from and --to go together; --to is missing");
  }

  @Test
  void unknownJob() {
    JobRunner.Run run = JobRunner.raw("predict", "--conf", "../conf/local.yaml");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).contains("Unmatched argument").contains("predict");
  }

  @Test
  void missingInputPartition() {
    JobRunner.Run run = new JobRunner(root).run("preprocess", "--dt", "2026-11-01");
    assertOneLineError(run, 3, "raw input partition not found: ");
    assertThat(run.stderr()).contains("dt=2026-11-01");
  }

  @Test
  void missingFeaturePartitionForTraining() {
    JobRunner.Run run = new JobRunner(root).run("train", "--from", "2026-11-01", "--to", "2026-11-02");
    assertOneLineError(run, 3, "input partitions 2026-11-01, 2026-11-02 not found under");
  }

  @Test
  void scoringWithNoChampion() {
    JobRunner.Run run = new JobRunner(root).run("score", "--dt", "2026-11-01");
    assertOneLineError(run, 2, "model 'churn' has no champion yet");
  }

  @Test
  void versionArgumentsMustBeVersionIds() throws java.io.IOException {
    JobRunner jobs = new JobRunner(root);
    // A path in place of an id must be refused as such, before anything is read or written.
    String escape = "../../churn/versions/20261123-162116-b5b8";
    assertOneLineError(jobs.run("score", "--dt", "2026-11-01", "--shadow", escape), 2,
        "--shadow must be a version id like 20261123-162116-b5b8 or an alias (champion, previous), not '" + escape + "'");
    assertOneLineError(jobs.run("evaluate", "--model-version", "../x"), 2,
        "--model-version must be a version id like 20261123-162116-b5b8, not '../x'");
    assertOneLineError(jobs.run("export", "--model-version", "a/b"), 2, "--model-version must be a version id");
    assertOneLineError(jobs.sub("models", "show", "../x"), 2, "VERSION must be a version id like 20261123-162116-b5b8, not '../x'");
    assertOneLineError(jobs.sub("models", "promote", "a/b"), 2, "VERSION must be a version id like 20261123-162116-b5b8, not 'a/b'");
    assertOneLineError(jobs.sub("models", "verify", "../x"), 2, "VERSION must be a version id");
    try (java.util.stream.Stream<Path> written = java.nio.file.Files.list(root)) {
      assertThat(written.map(p -> p.getFileName().toString())).doesNotContain("models", "scores", "features");
    }
  }

  @Test
  void helpWorksForEveryJob() {
    for (String job : new String[] {"datagen", "preprocess", "train", "evaluate", "export", "score"}) {
      JobRunner.Run run = JobRunner.raw(job, "--help");
      assertThat(run.exitCode()).isZero();
      assertThat(run.stdout()).contains("Usage: glmpipe " + job).contains("--conf").contains("Exit codes:");
      JobRunner.Run version = JobRunner.raw(job, "--version");
      assertThat(version.exitCode()).isZero();
      assertThat(version.stdout()).startsWith("glmpipe ").contains("Spark 3.5");
    }
  }
}
