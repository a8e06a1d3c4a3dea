package dev.glmpipe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glmpipe.GlmpipeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  /** Tests run in common/, the shipped config lives at the repository root. */
  private static final String LOCAL = "../conf/local.yaml";

  @TempDir Path tmp;

  @Test
  void shippedOverlaysLoadAndValidate() {
    for (String env : List.of("local", "emr", "dataproc")) {
      GlmpipeConfig c = ConfigLoader.load(List.of("../conf/" + env + ".yaml"), List.of());
      assertThat(c.model().name()).isEqualTo("churn");
      assertThat(c.dataset().contract().columns()).isNotEmpty();
    }
  }

  @Test
  void icebergOverlaysNameTheirCatalogAndKeepTheirPlatformsRoot() {
    GlmpipeConfig local = ConfigLoader.load(List.of("../conf/local-iceberg.yaml"), List.of());
    assertThat(local.score().tableFormat()).isEqualTo(TableFormat.ICEBERG);
    assertThat(local.storage().iceberg().properties()).containsEntry("type", "hadoop");
    GlmpipeConfig emr = ConfigLoader.load(List.of("../conf/emr-iceberg.yaml"), List.of());
    assertThat(emr.storage().root()).startsWith("s3://");
    assertThat(emr.storage().iceberg().catalog()).isEqualTo("glue");
    assertThat(emr.storage().iceberg().properties()).containsEntry("type", "glue")
        .hasEntrySatisfying("warehouse", w -> assertThat(w).startsWith("s3://"));  // Athena rejects s3a://
    GlmpipeConfig dataproc = ConfigLoader.load(List.of("../conf/dataproc-iceberg.yaml"), List.of());
    assertThat(dataproc.storage().root()).startsWith("gs://");
    assertThat(dataproc.storage().iceberg().properties()).containsEntry("type", "rest");
    // The default: parquet, and a Hadoop catalog under the storage root.
    GlmpipeConfig plain = ConfigLoader.load(List.of(LOCAL), List.of());
    assertThat(plain.score().tableFormat()).isEqualTo(TableFormat.PARQUET);
    assertThat(plain.storage().iceberg().properties()).containsEntry("warehouse", "iceberg");
    assertThatThrownBy(() -> ConfigLoader.load(List.of(LOCAL), List.of("storage.iceberg.namespace=my-db")))
        .hasMessageContaining("storage.iceberg.namespace");
  }

  @Test
  void theMonitoringTableFollowsTheScoresFormatUnlessMonitorNamesItsOwn() {
    assertThat(ConfigLoader.load(List.of(LOCAL), List.of()).monitoringFormat()).isEqualTo(TableFormat.PARQUET);
    for (String overlay : List.of("local", "emr", "dataproc")) {
      assertThat(ConfigLoader.load(List.of("../conf/" + overlay + "-iceberg.yaml"), List.of()).monitoringFormat())
          .as(overlay).isEqualTo(TableFormat.ICEBERG);
    }
    assertThat(ConfigLoader.load(List.of("../conf/local-iceberg.yaml"), List.of("monitor.table_format=parquet"))
        .monitoringFormat()).isEqualTo(TableFormat.PARQUET);
    GlmpipeConfig monitorOnly = ConfigLoader.load(List.of(LOCAL), List.of("monitor.table_format=iceberg"));
    assertThat(monitorOnly.monitoringFormat()).isEqualTo(TableFormat.ICEBERG);
    assertThat(monitorOnly.score().tableFormat()).isEqualTo(TableFormat.PARQUET);
    assertThatThrownBy(() -> ConfigLoader.load(List.of(LOCAL), List.of("monitor.table_format=delta")))
        .hasMessageContaining("monitor.table_format");
  }

  @Test
  void encryptionOverlaysLoadAndValidateAndNameKeysByIdOnly() {
    GlmpipeConfig emr = ConfigLoader.load(List.of("../conf/emr-sse-kms.yaml"), List.of());
    assertThat(emr.storage().root()).startsWith("s3://");                         // from emr.yaml
    assertThat(emr.spark().conf()).containsEntry("spark.hadoop.fs.s3a.encryption.algorithm", "SSE-KMS")
        .containsEntry("spark.hadoop.fs.s3.enableServerSideEncryption", "true")
        .containsEntry("spark.sql.parquet.compression.codec", "zstd");             // still emr.yaml's
    // fs.s3a.encryption.key holds key material under SSE-C: here it must be a KMS key's ARN.
    String kmsArn = "arn:aws[-a-z]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/.+";
    assertThat(emr.spark().conf().get("spark.hadoop.fs.s3a.encryption.key")).matches(kmsArn);
    assertThat(emr.spark().conf().get("spark.hadoop.fs.s3.serverSideEncryption.kms.keyId")).matches(kmsArn);

    GlmpipeConfig gcs = ConfigLoader.load(List.of("../conf/dataproc-cmek.yaml"), List.of());
    assertThat(gcs.storage().root()).startsWith("gs://");
    assertThat(gcs.storage().tables().raw()).startsWith("gs://");                  // from dataproc.yaml
    // CMEK is the bucket's default key; the connector's fs.gs.encryption.* keys are CSEK material.
    assertThat(gcs.spark().conf().keySet()).noneMatch(k -> k.contains("fs.gs.encryption"));
  }

  @Test
  void overlayOverridesBaseKeyByKeyAndSetWinsLast() {
    GlmpipeConfig c = ConfigLoader.load(List.of(LOCAL), List.of("model.reg_param=0.25", "spark.conf.spark.sql.shuffle.partitions=7"));
    assertThat(c.spark().master()).isEqualTo("local[2]");                         // from local.yaml
    assertThat(c.spark().conf()).containsEntry("spark.sql.session.timeZone", "UTC"); // kept from base.yaml
    assertThat(c.storage().tables().features()).isEqualTo("features");              // kept from base.yaml
    assertThat(c.storage().tables().raw()).isEqualTo("./data-samples/raw");         // from local.yaml
    assertThat(c.model().regParam()).isEqualTo(0.25);
    assertThat(c.spark().conf()).containsEntry("spark.sql.shuffle.partitions", "7");
  }

  @Test
  void unknownKeyNamesItsFullPath() {
    assertThatThrownBy(() -> ConfigLoader.load(List.of(LOCAL), List.of("model.reg_paramz=1")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("config key 'model.reg_paramz': unknown key")
        .hasMessageContaining("reg_param");
  }

  @Test
  void missingKeyNamesItsFullPath() throws IOException {
    Path file = tmp.resolve("no-label.yaml");
    Files.writeString(file, "extends: " + Path.of("../conf/base.yaml").toAbsolutePath() + "\n");
    String base = Files.readString(Path.of("../conf/base.yaml")).replace("  label: churned\n", "");
    Path copy = tmp.resolve("base.yaml");
    Files.writeString(copy, base);
    Files.writeString(file, "extends: base.yaml\n");
    assertThatThrownBy(() -> ConfigLoader.load(List.of(file.toString()), List.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("config key 'dataset.label': is required but missing");
  }

  @Test
  void badValuesNameTheKeyAndTheValue() {
    assertThatThrownBy(() -> ConfigLoader.load(List.of(LOCAL), List.of("model.max_iter=lots")))
        .hasMessage("config key 'model.max_iter': expected a whole number, got 'lots'");
    assertThatThrownBy(() -> ConfigLoader.load(List.of(LOCAL), List.of("model.type=forest")))
        .hasMessage("config key 'model.type': expected one of [logistic, linear], got 'forest'");
    assertThatThrownBy(() -> ConfigLoader.load(List.of(LOCAL), List.of("dataset.contract.columns[0]=x")))
        .hasMessageContaining("dataset.contract.columns[0]");
  }

  @Test
  void crossFieldRulesNameTheKey() {
    assertThatThrownBy(() -> ConfigLoader.load(List.of(LOCAL), List.of("train.holdout.fraction=1.5")))
        .hasMessage("config key 'train.holdout.fraction': must be between 0 and 1 (exclusive)");
    assertThatThrownBy(() -> ConfigLoader.load(List.of(LOCAL), List.of("features.boolean=[nope]")))
        .hasMessage("config key 'features.boolean[0]': column 'nope' is not declared in dataset.contract.columns");
    assertThatThrownBy(() -> ConfigLoader.load(List.of(LOCAL), List.of("features.boolean=[plan]")))
        .hasMessageContaining("config key 'features.boolean[0]'");
    assertThatThrownBy(() -> ConfigLoader.load(List.of(LOCAL), List.of("evaluate.minimum.rmse=1")))
        .hasMessageStartingWith("config key 'evaluate.minimum.rmse': unknown metric for a logistic model");
  }

  @Test
  void configErrorsAreUsageErrors() {
    assertThatThrownBy(() -> ConfigLoader.load(List.of("does-not-exist.yaml"), List.of()))
        .isInstanceOf(GlmpipeException.class)
        .hasMessage("config file 'does-not-exist.yaml': does not exist")
        .satisfies(e -> assertThat(((GlmpipeException) e).exitCode()).isEqualTo(GlmpipeException.EXIT_USAGE));
  }

  @Test
  void extendsCycleIsReported() throws IOException {
    Files.writeString(tmp.resolve("a.yaml"), "extends: b.yaml\n");
    Files.writeString(tmp.resolve("b.yaml"), "extends: a.yaml\n");
    assertThatThrownBy(() -> ConfigLoader.load(List.of(tmp.resolve("a.yaml").toString()), List.of()))
        .hasMessageContaining("'extends' forms a cycle");
  }

  @Test
  @SuppressWarnings("unchecked")
  void plainScalarsKeepTheirTextAsYaml12Does() throws IOException {
    Path file = tmp.resolve("scalars.yaml");
    Files.writeString(file, "a: [yes, no, on, 2026-01-01, '1:30', 1:30, true, 7, 0.5]\n");
    var tree = ConfigLoader.loadTree(List.of(file.toString()), List.of());
    assertThat((List<Object>) tree.get("a")).containsExactly("yes", "no", "on", "2026-01-01", "1:30", "1:30", true, 7, 0.5);
  }

  @Test
  void wholeNumberKeysRejectFractions() {
    assertThatThrownBy(() -> ConfigLoader.load(List.of(LOCAL), List.of("datagen.seed=1.5")))
        .hasMessage("config key 'datagen.seed': expected a whole number, got '1.5'");
  }

  @Test
  void theLabelMustSuitTheModel() {
    assertThatThrownBy(() -> ConfigLoader.load(List.of(LOCAL), List.of("dataset.label=customer_id")))
        .hasMessage("config key 'dataset.label': label column 'customer_id' is string; it must be numeric or boolean");
    assertThatThrownBy(() -> ConfigLoader.load(List.of(LOCAL),
        List.of("dataset.label=support_calls", "features.numeric=[{column: tenure_months}]")))
        .hasMessageStartingWith("config key 'dataset.label': a logistic model needs a boolean label");
    GlmpipeConfig linear = ConfigLoader.load(List.of(LOCAL), List.of("dataset.label=monthly_charges",
        "model.type=linear", "evaluate.minimum={r2: 0.0}", "evaluate.maximum=", "evaluate.max_degradation=", "features.numeric=[{column: tenure_months}]"));
    assertThat(linear.dataset().label()).isEqualTo("monthly_charges");
  }

  @Test
  void datagenDriftAndLabelFeedAreOffUnlessConfiguredAndBadValuesNameTheKey() {
    GlmpipeConfig plain = ConfigLoader.load(List.of(LOCAL), List.of());
    assertThat(plain.datagen().driftOrEmpty()).isEmpty();
    assertThat(plain.datagen().labels()).isNull();
    assertThat(plain.storage().tables().labels()).isEqualTo("labels");

    GlmpipeConfig on = ConfigLoader.load(List.of(LOCAL), List.of("datagen.labels={delay_days: 3}",
        "datagen.drift=[{from: 2026-11-05, kind: shift, column: monthly_charges, by: 15},"
            + " {from: 2026-11-06, kind: Mix, column: plan, weights: {premium: 2, basic: 1}},"
            + " {from: 2026-11-07, kind: concept, coefficients: {plan=premium: -0.2}}]"));
    assertThat(on.datagen().labels().delayDays()).isEqualTo(3);
    assertThat(on.datagen().drift()).extracting(DatagenConfig.Drift::kind).containsExactly(
        DatagenConfig.DriftKind.SHIFT, DatagenConfig.DriftKind.MIX, DatagenConfig.DriftKind.CONCEPT);
    assertThat(on.datagen().drift().get(0).from()).isEqualTo(java.time.LocalDate.of(2026, 11, 5));
    assertThat(on.datagen().drift().get(0).by()).isEqualTo(15.0);
    assertThat(on.datagen().drift().get(2).coefficients()).containsEntry("plan=premium", -0.2);

    assertThatThrownBy(() -> drift("{from: 2026-11-05, kind: wobble}"))
        .hasMessage("config key 'datagen.drift[0].kind': expected one of [shift, mix, concept], got 'wobble'");
    assertThatThrownBy(() -> drift("{from: 2026-13-01, kind: shift, column: tenure_months, by: 1}"))
        .hasMessage("config key 'datagen.drift[0].from': expected a date YYYY-MM-DD, got '2026-13-01'");
    assertThatThrownBy(() -> drift("{kind: shift, column: tenure_months, by: 1}"))
        .hasMessage("config key 'datagen.drift[0].from': is required but missing");
    assertThatThrownBy(() -> drift("{from: 2026-11-05, kind: shift, column: tenure_months, by: 1, colour: red}"))
        .hasMessageStartingWith("config key 'datagen.drift[0].colour': unknown key");
    assertThatThrownBy(() -> drift("{from: 2026-11-05, kind: shift, column: tenure_months, by: 1}, {from: 2026-11-05, kind: shift, column: tenure_months}"))
        .hasMessage("config key 'datagen.drift[1].by': is required when kind is shift");
    assertThatThrownBy(() -> drift("{from: 2026-11-05, kind: shift, column: tenure_months, by: lots}"))
        .hasMessage("config key 'datagen.drift[0].by': expected a number, got 'lots'");
    assertThatThrownBy(() -> drift("{from: 2026-11-05, kind: shift, by: 1}"))
        .hasMessage("config key 'datagen.drift[0].column': is required when kind is shift");
    assertThatThrownBy(() -> drift("{from: 2026-11-05, kind: shift, column: tenure_months, by: 1, weights: {basic: 1}}"))
        .hasMessage("config key 'datagen.drift[0].weights': applies only to kind: mix");
    assertThatThrownBy(() -> drift("{from: 2026-11-05, kind: mix, column: plan}"))
        .hasMessage("config key 'datagen.drift[0].weights': is required when kind is mix");
    assertThatThrownBy(() -> drift("{from: 2026-11-05, kind: mix, column: plan, weights: {basic: 1, premium: -1}}"))
        .hasMessage("config key 'datagen.drift[0].weights.premium': must not be negative, got -1.0");
    assertThatThrownBy(() -> drift("{from: 2026-11-05, kind: mix, column: plan, weights: {basic: 0}}"))
        .hasMessage("config key 'datagen.drift[0].weights': must not all be zero");
    assertThatThrownBy(() -> drift("{from: 2026-11-05, kind: concept, column: plan, coefficients: {intercept: 1}}"))
        .hasMessage("config key 'datagen.drift[0].column': applies only to kind: shift or mix");
    assertThatThrownBy(() -> drift("{from: 2026-11-05, kind: concept, coefficients: {}}"))
        .hasMessage("config key 'datagen.drift[0].coefficients': must override at least one coefficient");
    assertThatThrownBy(() -> ConfigLoader.load(List.of(LOCAL), List.of("datagen.labels={delay_days: -1}")))
        .hasMessage("config key 'datagen.labels.delay_days': must be between 0 (labels arrive the same day) and 3660");
    assertThatThrownBy(() -> ConfigLoader.load(List.of(LOCAL), List.of("datagen.labels={delay_days: 2, delay: 2}")))
        .hasMessageStartingWith("config key 'datagen.labels.delay': unknown key");
    assertThatThrownBy(() -> ConfigLoader.load(List.of(LOCAL), List.of("datagen.labels={}")))
        .hasMessage("config key 'datagen.labels.delay_days': is required but missing");
  }

  private static GlmpipeConfig drift(String entries) {
    return ConfigLoader.load(List.of(LOCAL), List.of("datagen.drift=[" + entries + "]"));
  }

  @Test
  void secretsAreMaskedInTheLoggedConfig() {
    var tree = ConfigLoader.loadTree(List.of(LOCAL), List.of("spark.conf.spark.hadoop.fs.s3a.secret.key=hunter2"));
    assertThat(dev.glmpipe.io.JsonFiles.toJsonLine(ConfigRedactor.redact(tree))).doesNotContain("hunter2").contains("***");
  }
}
