package dev.glmpipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glmpipe.GlmpipeException;
import dev.glmpipe.io.JsonFiles;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release path through the launcher: the first model faces absolute thresholds and is
 * exported (JSON + ONNX checked against Spark) and promoted; a worse challenger is rejected by
 * the champion comparison (exit 4) and cannot be exported or promoted; {@code models} lists,
 * shows, verifies, promotes and rolls back; a tampered champion is refused by score (exit 3).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReleaseIT {
  private static final String FROM = "2026-11-01";
  private static final String TO = "2026-11-03";
  /** The generator's columns untransformed: a good model. */
  private static final String[] GOOD = {
      "datagen.rows_per_day=2000",
      "evaluate.bootstrap={replicates: 50}",
      "features.numeric=[{column: tenure_months, impute: median}, {column: monthly_charges, impute: mean, scale: standard},"
          + " {column: support_calls, impute: median}, {column: data_usage_gb, impute: mean, scale: standard}]",
      "features.categorical=[{column: plan}, {column: region}]",
      "features.timestamp=[]",
      "features.crosses=[]",
      "evaluate.minimum={auc_roc: 0.55}",
      "evaluate.maximum={log_loss: 0.69}",
      "evaluate.max_degradation={auc_roc: 0.01}",
      "evaluate.slices=[region, plan]"};

  @TempDir static Path root;

  private JobRunner good;
  private JobRunner weak;
  private String v1;
  private String v2;
  private JobRunner timed;

  @BeforeAll
  void data() {
    good = new JobRunner(root, GOOD);
    List<String> weakSets = new ArrayList<>(List.of(GOOD));
    // Only the weakest signal: well above the absolute floor, clearly below the champion.
    weakSets.add("features.numeric=[{column: data_usage_gb, impute: mean}]");
    weakSets.add("features.categorical=[{column: region}]");
    weakSets.add("features.boolean=[]");
    weak = new JobRunner(root, weakSets.toArray(String[]::new));
    good.ok("datagen", "--from", FROM, "--to", TO);
    good.ok("preprocess", "--from", FROM, "--to", TO);
  }

  @Test
  @Order(1)
  void theFirstModelFacesAbsoluteThresholdsAndIsExportedWithAVerifiedOnnxFile() throws IOException {
    v1 = good.ok("train", "--from", FROM, "--to", TO).get("version").asText();
    JsonNode evaluate = good.ok("evaluate");
    assertThat(evaluate.get("passed").asBoolean()).isTrue();
    assertThat(evaluate.get("champion").isNull()).isTrue();
    JsonNode report = read(evaluate.get("evaluation_path").asText());
    assertThat(report.get("gate").get("checks")).allMatch(c -> !c.get("rule").asText().equals("vs_champion"));
    assertThat(report.get("metrics").get("auc_roc").asDouble()).isBetween(report.get("interval").get("lower").asDouble(),
        report.get("interval").get("upper").asDouble());
    assertThat(report.get("slices")).anyMatch(s -> s.get("column").asText().equals("plan") && s.get("value").asText().equals("premium"));
    assertThat(report.get("binary").get("lift")).hasSize(10);
    String html = Files.readString(Path.of(URI.create(evaluate.get("report_path").asText())));
    assertThat(html).contains("PASSED", "data:image/png;base64,");

    JsonNode export = good.ok("export");
    assertThat(export.get("champion").asText()).isEqualTo(v1);
    assertThat(export.get("onnx_parity").get("max_abs_diff").asDouble()).isLessThanOrEqualTo(1e-6);
    assertThat(export.get("onnx_parity").get("rows").asLong()).isPositive();
    assertThat(Path.of(URI.create(export.get("onnx_path").asText()))).isNotEmptyFile();
    JsonNode coefficients = read(export.get("coefficients_path").asText());
    assertThat(coefficients.get("preprocessing").get("numeric")).anyMatch(n -> n.get("column").asText().equals("monthly_charges")
        && n.get("scale").get("std").asDouble() > 0 && n.has("impute_value"));
  }

  @Test
  @Order(2)
  void aChallengerWorseThanTheChampionIsRejectedAndPromotesNothing() {
    v2 = weak.ok("train", "--from", FROM, "--to", TO).get("version").asText();
    JobRunner.Run evaluate = weak.run("evaluate");
    assertThat(evaluate.exitCode()).as(evaluate.stderr()).isEqualTo(GlmpipeException.EXIT_MODEL_REJECTED);
    assertThat(evaluate.stderr()).contains("auc_roc").contains("worse than champion " + v1);
    assertThat(evaluate.stderr().lines().filter(l -> l.startsWith("glmpipe"))).hasSize(1);

    JobRunner.Run export = weak.run("export");
    assertThat(export.exitCode()).isEqualTo(GlmpipeException.EXIT_MODEL_REJECTED);
    JobRunner.Run promote = good.sub("models", "promote", v2);
    assertThat(promote.exitCode()).isEqualTo(GlmpipeException.EXIT_MODEL_REJECTED);

    JsonNode list = good.sub("models", "list").json();
    assertThat(list.get("champion").asText()).isEqualTo(v1);
    assertThat(list.get("versions")).hasSize(2);
    assertThat(list.get("versions").get(1).get("evaluation").asText()).isEqualTo("rejected");
    JsonNode show = good.sub("models", "show", v2).json();
    assertThat(show.get("gate").get("passed").asBoolean()).isFalse();
    assertThat(show.get("gate").get("champion_version").asText()).isEqualTo(v1);
    assertThat(show.get("manifest").get("files").size()).isPositive();
    assertThat(show.get("manifest").get("input_schema")).anyMatch(f -> f.get("name").asText().equals("region"));
  }

  @Test
  @Order(3)
  void promoteAndRollbackMoveTheChampionWithAnAuditTrail() {
    String v3 = good.ok("train", "--from", FROM, "--to", TO).get("version").asText();
    JsonNode evaluate = good.ok("evaluate");
    assertThat(evaluate.get("champion").asText()).isEqualTo(v1);
    good.ok("export");
    JsonNode rollback = good.sub("models", "rollback", "--run-id", "oncall-rollback-1").json();
    assertThat(rollback.get("run_id").asText()).isEqualTo("oncall-rollback-1");
    assertThat(rollback.get("champion").asText()).isEqualTo(v1);
    assertThat(rollback.get("previous").asText()).isEqualTo(v3);
    JsonNode promote = good.sub("models", "promote", v3).json();
    assertThat(promote.get("champion").asText()).isEqualTo(v3);
    JsonNode show = good.sub("models", "show", v3).json();
    List<String> actions = new ArrayList<>();
    show.get("history").forEach(h -> actions.add(h.get("action").asText()));
    assertThat(actions).containsExactly("promote", "rollback", "promote");
    // A move by hand is audited like a job: the alias history and a run record name the run,
    // and the record carries the champion's new age for the dashboard's annotations.
    assertThat(show.get("history").get(1).get("run_id").asText()).isEqualTo("oncall-rollback-1");
    JsonNode record = good.sub("runs", "show", "oncall-rollback-1").json();
    assertThat(record.get("job").asText()).isEqualTo("rollback");
    assertThat(record.get("status").asText()).isEqualTo("succeeded");
    assertThat(record.get("model_version").asText()).isEqualTo(v1);
    assertThat(record.get("gauges").get("champion_since_timestamp_seconds").asDouble()).isPositive();
    // The promote of a rejected version (exit 4) above left a failed record; this one succeeded.
    assertThat(good.sub("runs", "list", "--job", "promote").json().get("runs").findValuesAsText("status"))
        .containsExactly("succeeded", "failed");
    assertThat(good.sub("models", "verify").json().get("ok").asBoolean()).isTrue();
  }

  @Test
  @Order(4)
  void scoreRefusesATamperedChampion() throws IOException {
    String champion = good.sub("models", "list").json().get("champion").asText();
    Path modelDir = root.resolve("models/churn/versions/" + champion + "/model");
    Path part;
    try (Stream<Path> files = Files.walk(modelDir)) {
      part = files.filter(p -> p.getFileName().toString().startsWith("part-") && p.toString().contains("stages")).findFirst().orElseThrow();
    }
    Files.write(part, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);

    JobRunner.Run score = good.run("score", "--dt", TO);
    assertThat(score.exitCode()).as(score.stderr()).isEqualTo(GlmpipeException.EXIT_DATA_CONTRACT);
    assertThat(score.stderr()).contains("failed verification, refusing to use it").contains("sha256");
    assertThat(score.stderr().lines().filter(l -> l.startsWith("glmpipe"))).hasSize(1);
    assertThat(root.resolve("scores/churn/dt=" + TO)).doesNotExist();
    JobRunner.Run verify = good.sub("models", "verify", champion);
    assertThat(verify.exitCode()).isEqualTo(GlmpipeException.EXIT_DATA_CONTRACT);
  }

  @Test
  @Order(5)
  void aTimeSplitVersionIsExportedWithParityCheckedOnItsHeldOutDay() throws IOException {
    List<String> sets = new ArrayList<>(List.of(GOOD));
    sets.addAll(List.of("model.name=timed", "train.holdout.by=time", "train.holdout.days=1", "evaluate.threshold={mode: max_f1}"));
    timed = new JobRunner(root, sets.toArray(String[]::new));
    timed.ok("train", "--from", FROM, "--to", TO);
    JsonNode evaluate = timed.ok("evaluate");
    long holdoutRows = evaluate.get("holdout_rows").asLong();
    JsonNode binary = read(evaluate.get("evaluation_path").asText()).get("binary");
    assertThat(binary.get("threshold_mode").asText()).isEqualTo("max_f1");
    assertThat(binary.get("threshold").asDouble()).isStrictlyBetween(0.0, 1.0);
    // The manifest records no hash column for a time split: export rebuilds the split from it.
    JsonNode export = timed.ok("export");
    assertThat(export.get("onnx_parity").get("rows").asLong()).isEqualTo(Math.min(1000, holdoutRows));
    assertThat(export.get("onnx_parity").get("max_abs_diff").asDouble()).isLessThanOrEqualTo(1e-6);
  }

  @Test
  @Order(6)
  void exportsAreWrittenOnceChecksummedAndVerifiedByEveryReader() throws IOException {
    String v = timed.sub("models", "list").json().get("champion").asText();
    Path dir = root.resolve("models/timed/exports/" + v);
    List<String> files = List.of("coefficients.json", "model.onnx", "onnx.json", "manifest.json");
    List<byte[]> before = new ArrayList<>();
    List<java.nio.file.attribute.FileTime> mtimes = new ArrayList<>();
    for (String f : files) {
      before.add(Files.readAllBytes(dir.resolve(f)));
      mtimes.add(Files.getLastModifiedTime(dir.resolve(f)));
    }

    // A second export of the same version verifies the published files and keeps them as they are.
    JsonNode again = timed.ok("export", "--model-version", v);
    assertThat(again.get("reused").asBoolean()).isTrue();
    assertThat(again.get("onnx_parity").get("max_abs_diff").asDouble()).isLessThanOrEqualTo(1e-6);
    for (int i = 0; i < files.size(); i++) {
      assertThat(Files.readAllBytes(dir.resolve(files.get(i)))).as(files.get(i)).isEqualTo(before.get(i));
      assertThat(Files.getLastModifiedTime(dir.resolve(files.get(i)))).as(files.get(i)).isEqualTo(mtimes.get(i));
    }
    JsonNode manifest = read(dir.resolve("manifest.json").toUri().toString());
    assertThat(manifest.get("files").fieldNames()).toIterable().containsExactlyInAnyOrder("coefficients.json", "model.onnx", "onnx.json");
    JsonNode verify = timed.sub("models", "verify").json();
    assertThat(verify.get("ok").asBoolean()).isTrue();
    assertThat(verify.get("exports")).singleElement().satisfies(e -> {
      assertThat(e.get("version").asText()).isEqualTo(v);
      assertThat(e.get("ok").asBoolean()).isTrue();
      assertThat(e.get("files").asInt()).isEqualTo(3);
    });

    // A changed export file is refused by whatever reads the exports, naming the file, and is not rewritten.
    Files.write(dir.resolve("model.onnx"), new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
    byte[] tampered = Files.readAllBytes(dir.resolve("model.onnx"));
    JobRunner.Run export = timed.run("export", "--model-version", v);
    assertThat(export.exitCode()).as(export.stderr()).isEqualTo(GlmpipeException.EXIT_DATA_CONTRACT);
    assertThat(export.stderr().lines().filter(l -> l.startsWith("glmpipe"))).singleElement().asString()
        .contains("the exports of model 'timed' version " + v + " failed verification").contains("model.onnx: sha256");
    assertThat(Files.readAllBytes(dir.resolve("model.onnx"))).isEqualTo(tampered);
    JobRunner.Run verifyTampered = timed.sub("models", "verify", v);
    assertThat(verifyTampered.exitCode()).isEqualTo(GlmpipeException.EXIT_DATA_CONTRACT);
    assertThat(verifyTampered.stderr()).contains("exports of version " + v + " failed verification: model.onnx: sha256");
  }

  private static JsonNode read(String uri) throws IOException {
    return JsonFiles.MAPPER.readTree(Path.of(URI.create(uri)).toFile());
  }
}
