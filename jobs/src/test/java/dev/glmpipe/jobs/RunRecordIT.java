package dev.glmpipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.glmpipe.io.JsonFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every run, succeeded or failed, leaves one record in the runs table, readable with
 * {@code runs list|show}, and pushes its metrics to the configured Pushgateway (here a plain HTTP
 * server that keeps what it receives; scripts/test-metrics.sh runs the real one).
 */
class RunRecordIT {
  private static final String DT = "2026-11-07";

  @TempDir Path root;

  @Test
  void aSucceededRunRecordsItsRowsPhasesAndTaskMetricsExactlyOncePerRunId() throws IOException {
    JobRunner jobs = new JobRunner(root, "datagen.rows_per_day=400");
    jobs.ok("datagen", "--dt", DT);
    String runId = "scheduled__2026-11-07T02:00:00+00:00.preprocess.1";
    JsonNode result = jobs.ok("preprocess", "--dt", DT, "--run-id", runId);

    JsonNode r = onlyRecord(runId);
    assertThat(r.get("job").asText()).isEqualTo("preprocess");
    assertThat(r.get("status").asText()).isEqualTo("succeeded");
    assertThat(r.get("exit_code").asInt()).isZero();
    assertThat(r.get("error").isNull()).isTrue();
    assertThat(r.get("model").asText()).isEqualTo("churn");
    assertThat(r.get("dates")).hasSize(1);
    assertThat(r.get("dates").get(0).asText()).isEqualTo(DT);
    assertThat(r.get("rows_in").asLong()).isEqualTo(result.get("input_rows").asLong()).isEqualTo(400);
    assertThat(r.get("rows_out").asLong()).isEqualTo(result.get("valid_rows").asLong());
    assertThat(r.get("rows_quarantined").asLong()).isEqualTo(result.get("quarantined_rows").asLong()).isPositive();

    // The phases cover the run: they add up to its duration.
    List<String> phases = Stream.of(r.get("phases").fieldNames()).flatMap(it -> {
      List<String> names = new java.util.ArrayList<>();
      it.forEachRemaining(names::add);
      return names.stream();
    }).toList();
    assertThat(phases).startsWith("startup").contains("read", "check", "quarantine", "publish");
    double sum = 0;
    for (JsonNode seconds : r.get("phases")) {
      sum += seconds.asDouble();
    }
    assertThat(sum).isCloseTo(r.get("duration_seconds").asDouble(), org.assertj.core.data.Offset.offset(0.05));

    // Task metrics: the tasks read the raw CSV and wrote at least the Parquet files now on disk.
    assertThat(r.get("tasks").asLong()).isPositive();
    assertThat(r.get("executor_cpu_seconds").asDouble()).isPositive();
    assertThat(r.get("bytes_read").asLong()).isGreaterThanOrEqualTo(sizeOf(root.resolve("raw/dt=" + DT), ".csv"));
    long parquet = sizeOf(root.resolve("features/dt=" + DT), ".parquet") + sizeOf(root.resolve("quarantine/dt=" + DT), ".parquet");
    assertThat(parquet).isPositive();
    assertThat(r.get("bytes_written").asLong()).isGreaterThanOrEqualTo(parquet);
    assertThat(r.get("executors").asInt()).isEqualTo(1);
    assertThat(r.get("spark_master").asText()).startsWith("local");
    assertThat(r.get("spark_version").asText()).startsWith("3.5");
    assertThat(r.get("spark_app_id").asText()).isNotBlank();
    assertThat(r.get("config_sha256").asText()).matches("[0-9a-f]{64}");
    assertThat(r.get("code_commit").asText()).matches("[0-9a-f]{40}(-dirty)?");

    // Run again under the same id (a retry that kept its id): still one record for it.
    jobs.ok("preprocess", "--dt", DT, "--run-id", runId);
    onlyRecord(runId);
  }

  @Test
  void aFailedRunLeavesAFailedRecordAndRunsListAndShowReadThemWithoutSpark() {
    JobRunner jobs = new JobRunner(root, "datagen.rows_per_day=100");
    jobs.ok("datagen", "--dt", DT, "--run-id", "gen-1");
    JobRunner.Run failed = jobs.run("preprocess", "--dt", "2026-11-08", "--run-id", "pre-missing");
    assertThat(failed.exitCode()).isEqualTo(3);
    BadInputIT.assertFailedResult(failed, 3);

    JsonNode r = onlyRecord("pre-missing");
    assertThat(r.get("status").asText()).isEqualTo("failed");
    assertThat(r.get("exit_code").asInt()).isEqualTo(3);
    assertThat(r.get("error").asText()).contains("2026-11-08");
    assertThat(r.get("error_class").asText()).isEqualTo("dev.glmpipe.GlmpipeException");
    assertThat(r.get("dates").get(0).asText()).isEqualTo("2026-11-08");

    JsonNode all = jobs.sub("runs", "list", "--days", "2").json();
    assertThat(all.get("count").asInt()).isEqualTo(2);
    assertThat(all.get("runs").findValuesAsText("run_id")).containsExactlyInAnyOrder("gen-1", "pre-missing");
    JsonNode onlyFailed = jobs.sub("runs", "list", "--status", "failed").json();
    assertThat(onlyFailed.get("runs").findValuesAsText("run_id")).containsExactly("pre-missing");
    assertThat(jobs.sub("runs", "list", "--job", "datagen").json().get("runs").findValuesAsText("run_id")).containsExactly("gen-1");

    JsonNode shown = jobs.sub("runs", "show", "pre-missing").json();
    assertThat(shown.get("error").asText()).isEqualTo(r.get("error").asText());
    JobRunner.Run unknown = jobs.sub("runs", "show", "no-such-run");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.stderr()).contains("no-such-run");
  }

  @Test
  void metricsArePushedUnderJobAndModelAndAFailureNeverMovesTheLastSuccess() throws IOException {
    List<String[]> pushes = new CopyOnWriteArrayList<>();
    HttpServer gateway = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    gateway.createContext("/", exchange -> {
      pushes.add(new String[] {exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
          new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)});
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    gateway.start();
    try {
      JobRunner jobs = new JobRunner(root, "datagen.rows_per_day=100",
          "metrics.pushgateway=http://127.0.0.1:" + gateway.getAddress().getPort());
      jobs.ok("datagen", "--dt", DT);
      jobs.ok("preprocess", "--dt", DT);
      assertThat(jobs.run("preprocess", "--dt", "2026-11-08").exitCode()).isEqualTo(3);
    } finally {
      gateway.stop(0);
    }
    assertThat(pushes).hasSize(3);
    assertThat(pushes).allSatisfy(p -> assertThat(p[0]).isEqualTo("POST"));
    assertThat(pushes.get(0)[1]).isEqualTo("/metrics/job/datagen/model/churn");
    String ok = pushes.get(1)[2];
    assertThat(pushes.get(1)[1]).isEqualTo("/metrics/job/preprocess/model/churn");
    assertThat(ok).contains("glmpipe_last_success_timestamp_seconds ", "glmpipe_run_rows{kind=\"in\"} 100",
        "glmpipe_run_quarantine_ratio ", "glmpipe_run_phase_duration_seconds{phase=\"check\"}", "glmpipe_run_exit_code 0");
    String failed = pushes.get(2)[2];
    assertThat(failed).contains("glmpipe_run_exit_code 3", "glmpipe_run_end_timestamp_seconds ")
        .doesNotContain("glmpipe_last_success_timestamp_seconds");
    // No run id or date in the grouping key or the labels: groups would pile up forever.
    assertThat(pushes).allSatisfy(p -> assertThat(p[1] + p[2]).doesNotContain("run_id").doesNotContain(DT));
  }

  @Test
  void aPushThatFailsWarnsUnlessConfiguredToFail() {
    JobRunner quiet = new JobRunner(root, "datagen.rows_per_day=50", "metrics.pushgateway=http://127.0.0.1:9");
    JobRunner.Run warned = quiet.run("datagen", "--dt", DT);
    assertThat(warned.exitCode()).isZero();
    JobRunner strict = new JobRunner(root, "datagen.rows_per_day=50", "metrics.pushgateway=http://127.0.0.1:9",
        "metrics.fail_on_error=true");
    JobRunner.Run failed = strict.run("datagen", "--dt", DT);
    assertThat(failed.exitCode()).isEqualTo(1);
    assertThat(failed.stderr()).contains("could not push metrics to http://127.0.0.1:9");
  }

  private JsonNode onlyRecord(String runId) {
    try (Stream<Path> files = Files.walk(root.resolve("runs"))) {
      List<JsonNode> found = files.filter(f -> f.toString().endsWith(".json")).map(RunRecordIT::read)
          .filter(n -> n.get("run_id").asText().equals(runId)).toList();
      assertThat(found).as("records of " + runId).hasSize(1);
      return found.get(0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode read(Path p) {
    try {
      return JsonFiles.MAPPER.readTree(p.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long sizeOf(Path dir, String suffix) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(suffix)).mapToLong(f -> f.toFile().length()).sum();
    }
  }
}
