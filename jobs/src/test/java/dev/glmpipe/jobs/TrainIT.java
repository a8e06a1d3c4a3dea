package dev.glmpipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glmpipe.io.JsonFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** train through the launcher: the convergence policy, a time split with tuning, the manifest. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainIT {
  private static final String FROM = "2026-11-01";
  private static final String TO = "2026-11-03";

  @TempDir static Path root;

  private JsonNode preprocess;

  @BeforeAll
  void generateAndPreprocess() {
    JobRunner jobs = new JobRunner(root, "datagen.rows_per_day=1500");
    jobs.ok("datagen", "--from", FROM, "--to", TO);
    preprocess = jobs.ok("preprocess", "--from", FROM, "--to", TO);
  }

  private static List<String> versions(String model) throws IOException {
    Path dir = root.resolve("models/" + model + "/versions");
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("_")).toList();
    }
  }

  @Test
  void aModelThatDidNotConvergeIsRejectedAndNoVersionIsWritten() throws IOException {
    JobRunner strict = new JobRunner(root, "model.name=capped", "model.max_iter=2");
    JobRunner.Run run = strict.run("train", "--from", FROM, "--to", TO);
    assertThat(run.exitCode()).as(run.stderr()).isEqualTo(4);
    assertThat(run.stdout()).isNotEmpty();
    BadInputIT.assertFailedResult(run, 4);
    assertThat(run.stderr().lines().filter(l -> l.startsWith("glmpipe ")).toList())
        .singleElement().asString()
        .startsWith("glmpipe train: error: model rejected, not converged (max_iter): the solver stopped at max_iter=2");
    assertThat(run.stderr()).doesNotContain("\tat ");
    assertThat(versions("capped")).isEmpty();

    // Allowed explicitly: the version is written, and says what was let through.
    JsonNode allowed = new JobRunner(root, "model.name=capped", "model.max_iter=2", "train.allow_non_convergence=true")
        .ok("train", "--from", FROM, "--to", TO);
    assertThat(allowed.get("convergence").get("status").asText()).isEqualTo("max_iter");
    assertThat(allowed.get("convergence").get("converged").asBoolean()).isFalse();
    assertThat(allowed.get("convergence").get("decision").asText()).isEqualTo("accepted_not_converged");
    assertThat(versions("capped")).containsExactly(allowed.get("version").asText());
  }

  @Test
  void aTimeSplitWithTuningIsRecordedAndEvaluatedOnTheNewestDay() throws IOException {
    JobRunner tuned = new JobRunner(root, "model.name=tuned", "train.holdout.by=time", "train.holdout.days=1",
        "train.tuning={method: train_validation, validation_fraction: 0.3, grid: {reg_param: [0.001, 0.05]}, parallelism: 2}",
        "evaluate.minimum={}", "evaluate.maximum={}");
    JsonNode train = tuned.ok("train", "--from", FROM, "--to", TO);
    long newestDay = preprocess.get("partitions").get(2).get("report").get("valid_rows").asLong();
    assertThat(train.get("holdout_rows").asLong()).isEqualTo(newestDay);
    assertThat(train.get("train_rows").asLong() + newestDay).isEqualTo(preprocess.get("valid_rows").asLong());
    assertThat(train.get("convergence").get("decision").asText()).isEqualTo("accepted");

    JsonNode manifest = JsonFiles.MAPPER.readTree(Path.of(java.net.URI.create(train.get("path").asText()))
        .resolve("manifest.json").toFile());
    JsonNode window = manifest.get("data_window");
    assertThat(window.get("holdout_by").asText()).isEqualTo("time");
    assertThat(window.get("holdout_dates").get(0).asText()).isEqualTo(TO);

    JsonNode tuning = manifest.get("training").get("tuning");
    assertThat(tuning.get("method").asText()).isEqualTo("train_validation");
    assertThat(tuning.get("metric").asText()).isEqualTo("log_loss");
    assertThat(tuning.get("candidates")).hasSize(2);
    double best = Double.MAX_VALUE;
    double bestReg = -1;
    for (JsonNode c : tuning.get("candidates")) {
      assertThat(c.get("metric").asDouble()).isBetween(0.1, 1.0);
      if (c.get("metric").asDouble() < best) {
        best = c.get("metric").asDouble();
        bestReg = c.get("params").get("reg_param").asDouble();
      }
    }
    assertThat(tuning.get("best").get("reg_param").asDouble()).isEqualTo(bestReg);
    assertThat(manifest.get("params").get("reg_param").asDouble()).isEqualTo(bestReg);

    // Every weight is named and the list runs from the largest |value| down.
    List<Double> magnitudes = new ArrayList<>();
    manifest.get("training").get("coefficients").forEach(c -> magnitudes.add(Math.abs(c.get("value").asDouble())));
    assertThat(magnitudes).hasSize(manifest.get("features").size()).isSortedAccordingTo((a, b) -> Double.compare(b, a));
    assertThat(train.get("top_coefficients")).hasSize(10);

    // evaluate rebuilds the same holdout from the manifest: the newest day.
    JsonNode evaluate = tuned.ok("evaluate", "--model-version", train.get("version").asText());
    assertThat(evaluate.get("holdout_rows").asLong()).isEqualTo(newestDay);
  }
}
