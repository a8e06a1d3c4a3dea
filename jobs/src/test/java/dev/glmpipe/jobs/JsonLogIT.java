package dev.glmpipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glmpipe.io.JsonFiles;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code logging.format=json} through the real launcher, {@code scripts/glmpipe.sh} (the shaded
 * jar, {@code conf/log4j2.properties}, Spark's jars), in a JVM of its own: after the config is
 * loaded every stderr line is one JSON object, with the run id and, on failure, the exception.
 */
class JsonLogIT {
  private static final String SWITCH_LOGGER = LogFormat.class.getName();

  @TempDir Path root;

  /** What one launcher run printed. */
  private record Run(int exitCode, String stdout, List<String> stderr) {
    /** Index of the line that says the format changed; every line after it is JSON. */
    int switchLine() {
      for (int i = 0; i < stderr.size(); i++) {
        if (stderr.get(i).startsWith("{") && stderr.get(i).contains(SWITCH_LOGGER)) {
          return i;
        }
      }
      throw new AssertionError("no line from " + SWITCH_LOGGER + " on stderr:\n" + String.join("\n", stderr));
    }
  }

  @Test
  void aJsonRunLogsOneJsonObjectPerLineWithItsRunId() throws Exception {
    Run run = launch("json-ok", "datagen", "--dt", "2026-11-07", "--run-id", "nightly-7.try1",
        "--set", "logging.format=json", "--set", "storage.root=" + root.resolve("storage").toUri());
    assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();

    int first = run.switchLine();
    // Lines before the config is loaded (the effective config among them) stay text.
    assertThat(run.stderr().subList(0, first)).anySatisfy(line -> assertThat(line).contains("effective config"))
        .allSatisfy(line -> assertThat(line).doesNotStartWith("{"));
    List<JsonNode> events = parseAll(run.stderr().subList(first, run.stderr().size()));
    assertThat(events).hasSizeGreaterThanOrEqualTo(2);
    for (JsonNode e : events) {
      assertEvent(e);
      assertThat(e.has("exception")).as("no exception field without one: %s", e).isFalse();
    }
    // The job's own lines (the launcher's thread) carry its run id.
    assertThat(events).filteredOn(e -> e.get("logger").asText().startsWith("dev.glmpipe."))
        .extracting(e -> e.path("run_id").asText())
        .isNotEmpty().containsOnly("nightly-7.try1");
    assertThat(events).anySatisfy(e -> assertThat(e.get("message").asText()).startsWith("datagen finished in "));
    assertThat(JsonFiles.MAPPER.readTree(run.stdout()).get("run_id").asText()).isEqualTo("nightly-7.try1");
  }

  @Test
  void aFailedJsonRunLogsItsExceptionAsFields() throws Exception {
    // A storage root below a plain file: the write fails with an unexpected (exit 1) error.
    Path file = Files.writeString(root.resolve("a-file"), "not a directory");
    Run run = launch("json-failed", "datagen", "--dt", "2026-11-07", "--run-id", "nightly-8",
        "--set", "logging.format=json", "--set", "storage.root=" + file.resolve("storage").toUri());
    assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isEqualTo(1);
    JsonNode result = JsonFiles.MAPPER.readTree(run.stdout());

    List<String> after = run.stderr().subList(run.switchLine(), run.stderr().size());
    // The launcher's own one error line stays plain text, and it is the last line.
    String last = after.get(after.size() - 1);
    assertThat(last).startsWith("glmpipe datagen: failed: ");
    List<JsonNode> events = parseAll(after.subList(0, after.size() - 1));
    events.forEach(JsonLogIT::assertEvent);
    assertThat(events).filteredOn(e -> e.has("exception")).singleElement().satisfies(e -> {
      assertThat(e.get("level").asText()).isEqualTo("ERROR");
      JsonNode ex = e.get("exception");
      assertThat(ex.get("class").asText()).isEqualTo(result.get("error_class").asText());
      assertThat(ex.get("message").asText()).isEqualTo(result.get("error").asText());
      assertThat(ex.get("stack_trace").asText())
          .startsWith(ex.get("class").asText() + ": ")
          .contains("\tat dev.glmpipe.");
    });
  }

  @Test
  void theDefaultTextFormatHasNoJsonLines() throws Exception {
    Run run = launch("text", "datagen", "--dt", "2026-11-07", "--run-id", "nightly-9",
        "--set", "storage.root=" + root.resolve("storage").toUri());
    assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
    assertThat(run.stderr()).anySatisfy(line -> assertThat(line).contains("[nightly-9]: datagen finished in "))
        .noneSatisfy(line -> assertThat(line).startsWith("{"));
  }

  /** Each line is one JSON object; fails naming the line that is not. */
  private static List<JsonNode> parseAll(List<String> lines) {
    List<JsonNode> events = new ArrayList<>();
    for (String line : lines) {
      try {
        JsonNode node = JsonFiles.MAPPER.readTree(line);
        assertThat(node).as("line %s", line).isNotNull();
        assertThat(node.isObject()).as("not a JSON object: %s", line).isTrue();
        events.add(node);
      } catch (IOException e) {
        throw new AssertionError("stderr line is not JSON: " + line, e);
      }
    }
    return events;
  }

  private static void assertEvent(JsonNode e) {
    assertThat(e.path("timestamp").asText()).as("%s", e).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    assertThat(Instant.parse(e.get("timestamp").asText())).isBefore(Instant.now().plusSeconds(1));
    assertThat(e.path("level").asText()).as("%s", e).isIn("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL");
    assertThat(e.path("logger").asText()).as("%s", e).isNotEmpty();
    assertThat(e.path("thread").asText()).as("%s", e).isNotEmpty();
    assertThat(e.has("message")).as("%s", e).isTrue();
  }

  /**
   * {@code scripts/glmpipe.sh JOB ARGS} with the shipped local config and small data; the
   * shaded jar is the one {@code package} built before this phase.
   */
  private Run launch(String name, String job, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("../scripts/glmpipe.sh", job, "--conf", "../conf/local.yaml",
        "--set", "storage.tables.raw=raw", "--set", "datagen.rows_per_day=50"));
    cmd.addAll(List.of(args));
    Path out = root.resolve(name + ".out");
    Path err = root.resolve(name + ".err");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(new File("."))
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.environment().put("GLMPIPE_JAVA_OPTS", "-Xmx1g");
    Process p = pb.start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(name + ": the launcher did not finish in 5 minutes");
    }
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8).trim(),
        Files.readAllLines(err, StandardCharsets.UTF_8));
  }
}
