package dev.glmpipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glmpipe.Columns;
import dev.glmpipe.io.JsonFiles;
import dev.glmpipe.scorer.ExportedModel;
import dev.glmpipe.scorer.Prediction;
import dev.glmpipe.scorer.json.Json;
import dev.glmpipe.scorer.serve.LocalRegistry;
import dev.glmpipe.scorer.serve.ModelServer;
import dev.glmpipe.testing.SharedSpark;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scoring outside Spark against the batch scores: the pipeline runs through the launcher
 * (datagen → preprocess → train → evaluate → export → score) with the shipped feature spec
 * (buckets, clip + log1p, scaling, categoricals, a boolean, timestamp parts, a cross) and once
 * more with a hashed column (scored by MLlib in batch); then the scorer library scores every
 * input row of the scored date and must agree with the scores table (within 1e-12, same
 * prediction on every row); then the prediction service, started on 127.0.0.1, must give the
 * library's numbers, follow promote and rollback without a restart, refuse a tampered version
 * while the old one keeps serving, and answer each kind of bad request with a 400 naming the
 * field.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServeIT {
  private static final String FROM = "2026-11-01";
  private static final String TRAIN_TO = "2026-11-03";
  private static final String SCORED = "2026-11-04";
  private static final double TOLERANCE = 1e-12;
  private static final String[] SETTINGS = {
      "datagen.rows_per_day=3000",
      "evaluate.bootstrap={replicates: 0}",
      "evaluate.minimum={auc_roc: 0.55}",
      "evaluate.maximum={log_loss: 0.69}",
      "evaluate.max_degradation={auc_roc: 0.05}"};
  /** The same data, with region hashed instead of one-hot encoded (ONNX cannot hash). */
  private static final String[] HASHED = {
      "model.name=hashed",
      "features.categorical=[{column: plan}]",
      "features.crosses=[]",
      "features.hashed=[{column: region, buckets: 32}]",
      "export.onnx=false"};

  @TempDir static Path root;

  private final SparkSession spark = SharedSpark.get();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private JobRunner jobs;
  private JobRunner hashedJobs;
  private String v1;
  private String v2;
  private ModelServer server;

  @BeforeAll
  void pipeline() {
    jobs = new JobRunner(root, SETTINGS);
    List<String> hashed = new ArrayList<>(List.of(SETTINGS));
    hashed.addAll(List.of(HASHED));
    hashedJobs = new JobRunner(root, hashed.toArray(String[]::new));
    jobs.ok("datagen", "--from", FROM, "--to", SCORED);
    jobs.ok("preprocess", "--from", FROM, "--to", SCORED);
    v1 = jobs.ok("train", "--from", FROM, "--to", TRAIN_TO).get("version").asText();
    jobs.ok("evaluate");
    jobs.ok("export");
    jobs.ok("score", "--dt", SCORED);
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  @Order(1)
  void theLibraryScoresEveryRowOfTheDateAsTheScoresTableHoldsIt() throws IOException {
    compareWithScoresTable("churn", v1, "compiled");
  }

  @Test
  @Order(2)
  void soDoesItForAPipelineWithAHashedColumnScoredByMllib() throws IOException {
    String v = hashedJobs.ok("train", "--from", FROM, "--to", TRAIN_TO).get("version").asText();
    hashedJobs.ok("evaluate");
    hashedJobs.ok("export");
    JsonNode score = hashedJobs.ok("score", "--dt", SCORED);
    assertThat(score.toString()).contains("mllib");
    compareWithScoresTable("hashed", v, "mllib");
  }

  private void compareWithScoresTable(String model, String version, String engine) throws IOException {
    ExportedModel library = ExportedModel.load(root.resolve("models/" + model + "/exports/" + version));
    assertThat(library.version()).isEqualTo(version);
    List<String> inputs = library.inputColumns().stream().map(ExportedModel.InputColumn::name).toList();
    List<Row> rows = inputRowsWithScores(model);
    assertThat(rows).hasSizeGreaterThan(2000);
    double max = 0;
    long identical = 0;
    for (Row r : rows) {
      Prediction p = library.score(record(r, inputs));
      double batch = r.getDouble(r.fieldIndex(Columns.SCORE));
      double diff = Math.abs(p.score() - batch);
      assertThat(diff).as("%s row %s: library %s, scores table %s", model, r.getAs("customer_id"), p.score(), batch)
          .isLessThanOrEqualTo(TOLERANCE);
      assertThat(p.prediction().intValue()).as("%s row %s", model, r.getAs("customer_id"))
          .isEqualTo(r.getInt(r.fieldIndex(Columns.PREDICTION)));
      assertThat(r.<String>getAs(Columns.MODEL_VERSION)).isEqualTo(version);
      max = Math.max(max, diff);
      identical += diff == 0 ? 1 : 0;
    }
    System.err.printf("ServeIT: model %s (batch engine %s): %d rows of %s, max |library - scores table| = %.3g, %d identical%n",
        model, engine, rows.size(), SCORED, max, identical);
  }

  /** Every valid input row of the scored date beside its row of the scores table (by key; every row scored once). */
  private List<Row> inputRowsWithScores(String model) {
    var features = spark.read().parquet(root.resolve("features/dt=" + SCORED).toUri().toString());
    var scores = spark.read().parquet(root.resolve("scores/" + model + "/dt=" + SCORED).toUri().toString())
        .select("customer_id", Columns.SCORE, Columns.PREDICTION, Columns.MODEL_VERSION);
    assertThat(scores.count()).isEqualTo(features.count());
    return features.join(scores, "customer_id").collectAsList();
  }

  private static Map<String, Object> record(Row r, List<String> inputs) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String c : inputs) {
      Object v = r.get(r.fieldIndex(c));
      out.put(c, v instanceof Timestamp t ? t.toInstant() : v);
    }
    return out;
  }

  // ---- the service -------------------------------------------------------------------------

  @Test
  @Order(3)
  void theServiceAnswersWithTheLibrarysAndTheBatchsNumbers() throws Exception {
    server = new ModelServer(new LocalRegistry(root.resolve("models"), "churn"),
        ModelServer.Settings.defaults().withPort(0).withPollSeconds(0.2).withMaxBodyBytes(256 * 1024)).start();
    ExportedModel library = ExportedModel.load(root.resolve("models/churn/exports/" + v1));
    List<String> inputs = library.inputColumns().stream().map(ExportedModel.InputColumn::name).toList();
    List<Row> rows = inputRowsWithScores("churn");
    int compared = 0;
    for (int from = 0; from < rows.size(); from += 250) {
      List<Row> batch = rows.subList(from, Math.min(rows.size(), from + 250));
      List<Object> instances = new ArrayList<>();
      batch.forEach(r -> instances.add(jsonRecord(r, inputs)));
      HttpResponse<String> res = post("/v1/models/churn:predict", Json.write(Map.of("instances", instances)));
      assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
      JsonNode body = JsonFiles.MAPPER.readTree(res.body());
      assertThat(body.get("model_version").asText()).isEqualTo(v1);
      for (int i = 0; i < batch.size(); i++) {
        Row r = batch.get(i);
        JsonNode p = body.get("predictions").get(i);
        Prediction lib = library.score(record(r, inputs));
        // The JSON number reads back as the same double: the service gives the library's bits.
        assertThat(p.get("score").asDouble()).isEqualTo(lib.score());
        assertThat(p.get("prediction").asInt()).isEqualTo(lib.prediction().intValue());
        assertThat(Math.abs(p.get("score").asDouble() - r.getDouble(r.fieldIndex(Columns.SCORE)))).isLessThanOrEqualTo(TOLERANCE);
        assertThat(p.get("prediction").asInt()).isEqualTo(r.getInt(r.fieldIndex(Columns.PREDICTION)));
        compared++;
      }
    }
    assertThat(compared).isEqualTo(rows.size());

    JsonNode meta = JsonFiles.MAPPER.readTree(get("/v1/models/churn").body());
    assertThat(meta.get("version").asText()).isEqualTo(v1);
    assertThat(meta.get("family").asText()).isEqualTo("binomial");
    assertThat(meta.get("inputs")).anyMatch(i -> i.get("name").asText().equals("last_login_at")
        && i.get("type").asText().equals("timestamp"));
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    String metrics = get("/metrics").body();
    assertThat(metrics).contains("glmpipe_serve_requests_total{code=\"200\",endpoint=\"predict\"}")
        .contains("glmpipe_serve_request_duration_seconds_bucket{endpoint=\"predict\",le=\"0.005\"}")
        .contains("glmpipe_serve_model_info{model=\"churn\",version=\"" + v1 + "\"} 1")
        .contains("glmpipe_serve_predictions_total " + rows.size() + ".0");
  }

  @Test
  @Order(4)
  void aPromotionAndARollbackArePickedUpWithoutARestart() throws Exception {
    // A second version on a shorter window: other weights, so the answers tell the versions apart.
    v2 = jobs.ok("train", "--from", FROM, "--to", "2026-11-02").get("version").asText();
    jobs.ok("evaluate");
    jobs.ok("export");  // promotes v2
    awaitServed(v2);
    Map<String, Object> one = jsonRecord(inputRowsWithScores("churn").get(0),
        ExportedModel.load(root.resolve("models/churn/exports/" + v1)).inputColumns().stream().map(ExportedModel.InputColumn::name).toList());
    JsonNode answer = JsonFiles.MAPPER.readTree(post("/v1/models/churn:predict", Json.write(Map.of("instances", List.of(one)))).body());
    assertThat(answer.get("model_version").asText()).isEqualTo(v2);
    double v2Score = ExportedModel.load(root.resolve("models/churn/exports/" + v2)).score(parseBack(one)).score();
    assertThat(answer.get("predictions").get(0).get("score").asDouble()).isEqualTo(v2Score);

    jobs.sub("models", "rollback");
    awaitServed(v1);
    answer = JsonFiles.MAPPER.readTree(post("/v1/models/churn:predict", Json.write(Map.of("instances", List.of(one)))).body());
    assertThat(answer.get("model_version").asText()).isEqualTo(v1);
    assertThat(answer.get("predictions").get(0).get("score").asDouble()).isNotEqualTo(v2Score);
    assertThat(get("/metrics").body()).contains("glmpipe_serve_model_loads_total 3.0");
  }

  @Test
  @Order(5)
  void aTamperedVersionIsRefusedAndTheOldOneKeepsServing() throws Exception {
    Path coefficients = root.resolve("models/churn/exports/" + v2 + "/coefficients.json");
    Files.writeString(coefficients, " ", StandardOpenOption.APPEND);
    JobRunner.Run promote = jobs.sub("models", "promote", v2);
    assertThat(promote.exitCode()).as(promote.stderr()).isZero();  // the version's own files are intact
    Supplier<String> refused = () -> {
      try {
        JsonNode meta = JsonFiles.MAPPER.readTree(get("/v1/models/churn").body());
        return meta.has("refused") ? meta.get("refused").asText() : null;
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    };
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (refused.get() == null && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(refused.get()).contains("refused champion version " + v2).contains("coefficients.json: sha256")
        .contains("still serving version " + v1);
    JsonNode meta = JsonFiles.MAPPER.readTree(get("/v1/models/churn").body());
    assertThat(meta.get("version").asText()).isEqualTo(v1);
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    assertThat(get("/metrics").body()).contains("glmpipe_serve_model_refusals_total 1.0")
        .contains("glmpipe_serve_model_info{model=\"churn\",version=\"" + v1 + "\"} 1");
  }

  @Test
  @Order(6)
  void eachKindOfBadRequestGetsA400NamingTheFieldAndTheServerCarriesOn() throws Exception {
    List<String> inputs = ExportedModel.load(root.resolve("models/churn/exports/" + v1)).inputColumns().stream()
        .map(ExportedModel.InputColumn::name).toList();
    Map<String, Object> good = jsonRecord(inputRowsWithScores("churn").get(1), inputs);
    Map<String, Object> missing = new LinkedHashMap<>(good);
    missing.remove("tenure_months");
    Map<String, Object> wrongType = new LinkedHashMap<>(good);
    wrongType.put("tenure_months", "twelve");
    Map<String, Object> fraction = new LinkedHashMap<>(good);
    fraction.put("tenure_months", 12.5);
    Map<String, Object> badTime = new LinkedHashMap<>(good);
    badTime.put("last_login_at", "yesterday");
    Map<String, Object> badBool = new LinkedHashMap<>(good);
    badBool.put("autopay", "yes");
    String predict = "/v1/models/churn:predict";
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("{\"instances\": [", "not valid JSON");
    cases.put("[1, 2]", "must be a JSON object");
    cases.put("{}", "'instances' is missing");
    cases.put("{\"instances\": {}}", "'instances' must be an array");
    cases.put("{\"instances\": []}", "'instances' is empty");
    cases.put("{\"instances\": [" + Json.write(good) + ", 7]}", "'instances[1]' must be an object");
    cases.put(Json.write(Map.of("instances", List.of(good, missing))), "'instances[1].tenure_months': missing");
    cases.put(Json.write(Map.of("instances", List.of(wrongType))), "'instances[0].tenure_months': expected an integer (int), got the string \"twelve\"");
    cases.put(Json.write(Map.of("instances", List.of(fraction))), "'instances[0].tenure_months': expected an integer");
    cases.put(Json.write(Map.of("instances", List.of(badTime))), "'instances[0].last_login_at': expected an ISO-8601 timestamp");
    cases.put(Json.write(Map.of("instances", List.of(badBool))), "'instances[0].autopay': expected true or false");
    cases.put("{\"instances\": [" + Json.write(good) + "], \"pad\": \"" + "x".repeat(300 * 1024) + "\"}", "more than the 262144 allowed");
    int n = 0;
    for (Map.Entry<String, String> c : cases.entrySet()) {
      HttpResponse<String> res = post(predict, c.getKey());
      assertThat(res.statusCode()).as(c.getValue()).isEqualTo(400);
      assertThat(JsonFiles.MAPPER.readTree(res.body()).get("error").asText()).as(res.body()).contains(c.getValue());
      n++;
    }
    assertThat(get(predict).statusCode()).isEqualTo(405);
    assertThat(post("/v1/models/other:predict", Json.write(Map.of("instances", List.of(good)))).statusCode()).isEqualTo(404);
    // Still up and still scoring.
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    assertThat(post(predict, Json.write(Map.of("instances", List.of(good)))).statusCode()).isEqualTo(200);
    assertThat(get("/metrics").body()).contains("glmpipe_serve_errors_total{endpoint=\"predict\",reason=\"bad_request\"} " + n + ".0")
        .contains("glmpipe_serve_errors_total{endpoint=\"predict\",reason=\"method\"} 1.0");
  }

  // ---- helpers -----------------------------------------------------------------------------

  /** A row's inputs as a client sends them in JSON: timestamps as ISO-8601 instants. */
  private static Map<String, Object> jsonRecord(Row r, List<String> inputs) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String c : inputs) {
      Object v = r.get(r.fieldIndex(c));
      out.put(c, v instanceof Timestamp t ? t.toInstant().toString() : v);
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> parseBack(Map<String, Object> json) {
    return (Map<String, Object>) Json.parse(Json.write(json));
  }

  private void awaitServed(String version) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    String served = null;
    while (System.nanoTime() < deadline) {
      served = JsonFiles.MAPPER.readTree(get("/v1/models/churn").body()).get("version").asText();
      if (served.equals(version)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the service still serves " + served + ", not " + version);
  }

  private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }
}
