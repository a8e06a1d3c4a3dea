package dev.glmpipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glmpipe.config.ConfigBinder;
import dev.glmpipe.config.ConfigLoader;
import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.datagen.ChurnGenerator;
import dev.glmpipe.features.FeatureSpecHash;
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
 *
 * <p>The generator's logit is linear in the raw columns, so the coefficient checks train with a
 * plain spec ({@link #LINEAR_SPEC}); the shipped spec (buckets, log1p, date parts, a cross)
 * trains its own version afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineIT {
  private static final String FROM = "2026-11-01";
  private static final String TO = "2026-11-07";

  /** Every numeric column untransformed, so fitted weights compare with the generator's. */
  static final String[] LINEAR_SPEC = {
      "datagen.rows_per_day=7200",
      "features.numeric=[{column: tenure_months, impute: median}, {column: monthly_charges, impute: mean, scale: standard},"
          + " {column: support_calls, impute: median}, {column: data_usage_gb, impute: mean, scale: standard}]",
      "features.categorical=[{column: plan}, {column: region}]",
      "features.timestamp=[]",
      "features.crosses=[]"};

  @TempDir static Path root;

  private final SparkSession spark = SharedSpark.get();
  private JobRunner jobs;
  private JsonNode datagen;
  private JsonNode preprocess;
  private String linearVersion;

  @BeforeAll
  void generateAndPreprocess() {
    jobs = new JobRunner(root, LINEAR_SPEC);
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
    linearVersion = train.get("version").asText();
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
    // Training saw every plan, so the shared slot for rare, unseen and null plans never fired.
    assertThat(fitted.get("plan=__other__")).isZero();

    // The version records its spec, the spec's hash and a profile of the training rows.
    Path version = Path.of(java.net.URI.create(train.get("path").asText()));
    JsonNode manifest = JsonFiles.MAPPER.readTree(version.resolve("manifest.json").toFile());
    GlmpipeConfig config = ConfigLoader.load(List.of("../conf/local.yaml"), List.of(LINEAR_SPEC));
    assertThat(manifest.get("feature_spec_hash").asText()).isEqualTo(FeatureSpecHash.of(config.features()));
    assertThat(ConfigBinder.bind(JsonFiles.MAPPER.convertValue(manifest.get("feature_spec"), Map.class), FeaturesConfig.class))
        .isEqualTo(config.features());
    JsonNode profile = JsonFiles.MAPPER.readTree(version.resolve(manifest.get("profile").asText()).toFile());
    assertThat(profile.get("rows").asLong()).isEqualTo(train.get("train_rows").asLong());
    assertThat(profile.get("feature_spec_hash").asText()).isEqualTo(manifest.get("feature_spec_hash").asText());
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

  @Test
  @Order(4)
  void theShippedSpecTrainsAVersionThatPassesAndScores() throws IOException {
    JobRunner shipped = new JobRunner(root, "datagen.rows_per_day=7200");
    JsonNode train = shipped.ok("train", "--from", FROM, "--to", "2026-11-06");
    Path version = Path.of(java.net.URI.create(train.get("path").asText()));
    JsonNode manifest = JsonFiles.MAPPER.readTree(version.resolve("manifest.json").toFile());
    GlmpipeConfig config = ConfigLoader.load(List.of("../conf/local.yaml"), List.of());
    // A different spec is a different model: its own version, its own hash.
    assertThat(train.get("version").asText()).isNotEqualTo(linearVersion);
    assertThat(manifest.get("feature_spec_hash").asText()).isEqualTo(FeatureSpecHash.of(config.features()))
        .isNotEqualTo(FeatureSpecHash.of(ConfigLoader.load(List.of("../conf/local.yaml"), List.of(LINEAR_SPEC)).features()));
    List<String> names = new java.util.ArrayList<>();
    manifest.get("features").forEach(n -> names.add(n.asText()));
    assertThat(names).contains("log1p(support_calls)", "plan×region=premium×west", "last_login_at.day_of_week=Mon",
        "last_login_at.hour=23", "region=__other__");
    assertThat(names.stream().filter(n -> n.startsWith("tenure_months_bucket=["))).hasSize(6);

    // The profile counts every training row once per feature.
    JsonNode profile = JsonFiles.MAPPER.readTree(version.resolve("profile.json").toFile());
    long trainRows = train.get("train_rows").asLong();
    assertThat(profile.get("rows").asLong()).isEqualTo(trainRows);
    for (JsonNode f : profile.get("features")) {
      assertThat(f.get("count").asLong() + f.get("nulls").asLong()).as(f.get("name").asText()).isEqualTo(trainRows);
      if (f.has("top")) {
        long listed = 0;
        for (JsonNode level : f.get("top")) {
          listed += level.get("count").asLong();
        }
        assertThat(listed + f.get("other_count").asLong()).as(f.get("name").asText()).isEqualTo(f.get("count").asLong());
      }
    }

    JsonNode evaluate = shipped.ok("evaluate");
    assertThat(evaluate.get("version").asText()).isEqualTo(train.get("version").asText());
    assertThat(evaluate.get("metrics").get("auc_roc").asDouble()).isBetween(0.7, 0.9);
    shipped.ok("export");
    JsonNode score = shipped.ok("score", "--dt", TO);
    assertThat(score.get("model_version").asText()).isEqualTo(train.get("version").asText());
    assertThat(score.get("rows").asLong()).isEqualTo(preprocess.get("partitions").get(6).get("report").get("valid_rows").asLong());
    assertThat(spark.read().parquet(root.resolve("scores/churn/dt=" + TO).toUri().toString())
        .where("score < 0 OR score > 1 OR score IS NULL").count()).isZero();
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
