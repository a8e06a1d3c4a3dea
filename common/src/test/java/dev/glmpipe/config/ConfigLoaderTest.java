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
  void secretsAreMaskedInTheLoggedConfig() {
    var tree = ConfigLoader.loadTree(List.of(LOCAL), List.of("spark.conf.spark.hadoop.fs.s3a.secret.key=hunter2"));
    assertThat(dev.glmpipe.io.JsonFiles.toJsonLine(ConfigRedactor.redact(tree))).doesNotContain("hunter2").contains("***");
  }
}
