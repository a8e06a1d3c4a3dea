package dev.glmpipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glmpipe.datagen.ChurnGenerator;
import dev.glmpipe.io.JsonFiles;
import dev.glmpipe.testing.SharedSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline through the launcher on ~50k generated rows: datagen → preprocess → train
 * → evaluate → export → score, checked against what the generator knows to be true.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineIT {
  private static final String FROM = "2026-11-01";
  private static final String TO = "2026-11-07";

  @TempDir static Path root;

  private final SparkSession spark = SharedSpark.get();
  private JobRunner jobs;
  private JsonNode datagen;
  private JsonNode preprocess;

  @BeforeAll
  void generateAndPreprocess() {
    jobs = new JobRunner(root, "datagen.rows_per_day=7200");
    datagen = jobs.ok("datagen", "--from", FROM, "--to", TO);
    preprocess = jobs.ok("preprocess", "--from", FROM, "--to", TO);
  }

  @Test
  @Order(1)
  void quarantineHoldsExactlyTheInjectedBrokenRows() {
    assertThat(datagen.get("rows").asLong()).isEqualTo(7 * 7200);
    assertThat(preprocess.get("input_rows").asLong()).isEqualTo(datagen.get("rows").asLong());
    assertThat(preprocess.get("quarantined_rows").asLong()).isEqualTo(datagen.get("broken_rows").asLong()).isPositive();
    assertThat(preprocess.get("valid_rows").asLong() + preprocess.get("quarantined_rows").asLong())
        .isEqualTo(preprocess.get("input_rows").asLong());

    Map<String, Long> injected = new HashMap<>();
    datagen.get("broken_by_reason").fields().forEachRemaining(e -> injected.put(e.getKey(), e.getValue().asLong()));
    Map<String, Long> found = new HashMap<>();
    for (JsonNode p : preprocess.get("partitions")) {
      p.get("report").get("rows_by_reason").fields().forEachRemaining(e -> found.merge(e.getKey(), e.getValue().asLong(), Long::sum));
    }
    assertThat(found).isEqualTo(injected);

    // The quarantine table itself, read as an analyst would, agrees with the report.
    Dataset<Row> q = spark.read().parquet(root.resolve("quarantine").toUri().toString());
    assertThat(q.count()).isEqualTo(datagen.get("broken_rows").asLong());
    assertThat(q.where("size(reasons) = 0").count()).isZero();
  }

  @Test
  @Order(2)
  void trainingRecoversTheTrueCoefficients() throws IOException {
    JsonNode train = jobs.ok("train", "--from", FROM, "--to", TO);
    assertThat(train.get("train_rows").asLong() + train.get("holdout_rows").asLong())
        .isEqualTo(preprocess.get("valid_rows").asLong());
    JsonNode evaluate = jobs.ok("evaluate");
    assertThat(evaluate.get("passed").asBoolean()).isTrue();
    assertThat(evaluate.get("metrics").get("auc_roc").asDouble()).isBetween(0.7, 0.9);
    JsonNode export = jobs.ok("export");
    assertThat(export.get("champion").asText()).isEqualTo(train.get("version").asText());

    Map<String, Double> fitted = new HashMap<>();
    JsonNode doc = JsonFiles.MAPPER.readTree(Path.of(java.net.URI.create(export.get("coefficients_path").asText())).toFile());
    doc.get("coefficients").forEach(c -> fitted.put(c.get("feature").asText(), c.get("value_input_units").asDouble()));
    Map<String, Double> truth = ChurnGenerator.TRUE_MODEL;

    // Numeric and boolean effects: right sign, and the strong ones within 15% of the truth.
    for (String f : List.of("tenure_months", "monthly_charges", "support_calls", "autopay")) {
      assertThat(fitted.get(f)).as(f).isCloseTo(truth.get(f), within(0.15 * Math.abs(truth.get(f))));
    }
    assertThat(Math.signum(fitted.get("data_usage_gb"))).isEqualTo(Math.signum(truth.get("data_usage_gb")));
    // One-hot levels are identified relative to each other: compare contrasts with the baseline.
    double premium = fitted.get("plan=premium") - fitted.get("plan=basic");
    assertThat(premium).isCloseTo(truth.get("plan=premium"), within(0.15 * Math.abs(truth.get("plan=premium"))));
    double standard = fitted.get("plan=standard") - fitted.get("plan=basic");
    assertThat(Math.signum(standard)).isEqualTo(-1.0);
    for (String region : List.of("south", "east", "west")) {
      double contrast = fitted.get("region=" + region) - fitted.get("region=north");
      assertThat(Math.signum(contrast)).as(region).isEqualTo(Math.signum(truth.get("region=" + region)));
    }
    assertThat(fitted.get("plan=__unseen__")).isZero();
  }

  @Test
  @Order(3)
  void scoresEveryValidRowOnceAndRerunsReplaceOnlyTheirDate() throws IOException {
    JsonNode score = jobs.ok("score", "--from", FROM, "--to", TO);
    assertThat(score.get("rows").asLong()).isEqualTo(preprocess.get("valid_rows").asLong());
    for (int i = 0; i < 7; i++) {
      assertThat(score.get("partitions").get(i).get("rows").asLong())
          .isEqualTo(preprocess.get("partitions").get(i).get("report").get("valid_rows").asLong());
    }
    String table = root.resolve("scores/churn").toUri().toString();
    Dataset<Row> scores = spark.read().parquet(table);
    assertThat(scores.columns()).contains("customer_id", "region", "score", "prediction", "model_name", "model_version", "scored_at", "dt");
    assertThat(scores.select("customer_id").distinct().count()).isEqualTo(scores.count());
    assertThat(scores.where("score < 0 OR score > 1 OR score IS NULL").count()).isZero();

    List<Row> before = sortedScores("2026-11-03");
    Map<String, List<String>> otherFiles = filesPerPartition();
    jobs.ok("score", "--dt", "2026-11-03");
    assertThat(sortedScores("2026-11-03")).isEqualTo(before);
    Map<String, List<String>> after = filesPerPartition();
    after.remove("dt=2026-11-03");
    otherFiles.remove("dt=2026-11-03");
    assertThat(after).isEqualTo(otherFiles);
    assertThat(spark.read().parquet(table).count()).isEqualTo(preprocess.get("valid_rows").asLong());
  }

  private List<Row> sortedScores(String dt) {
    return spark.read().parquet(root.resolve("scores/churn/dt=" + dt).toUri().toString())
        .select("customer_id", "score", "prediction").orderBy("customer_id").collectAsList();
  }

  private Map<String, List<String>> filesPerPartition() throws IOException {
    Map<String, List<String>> out = new HashMap<>();
    try (Stream<Path> dirs = Files.list(root.resolve("scores/churn"))) {
      for (Path d : dirs.toList()) {
        try (Stream<Path> files = Files.list(d)) {
          out.put(d.getFileName().toString(), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
      }
    }
    return out;
  }
}
