package dev.glmpipe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Solver, class weight, split and tuning keys: bound, defaulted, and refused naming the key. */
class TrainConfigTest {
  private static final String LOCAL = "../conf/local.yaml";

  private static GlmpipeConfig load(String... sets) {
    return ConfigLoader.load(List.of(LOCAL), List.of(sets));
  }

  @Test
  void shippedConfigUsesTheDefaults() {
    GlmpipeConfig c = load();
    assertThat(c.model().solver()).isEqualTo(ModelConfig.Solver.AUTO);
    assertThat(c.model().family()).isEqualTo(ModelConfig.Family.AUTO);
    assertThat(c.model().classWeight()).isNull();
    assertThat(c.model().sgd().iterations()).isEqualTo(c.model().maxIter());
    assertThat(c.model().sgd().convergenceTol()).isEqualTo(c.model().tol());
    assertThat(c.train().holdout().by()).isEqualTo(TrainConfig.SplitBy.HASH);
    assertThat(c.train().tuning()).isNull();
    assertThat(c.train().allowNonConvergence()).isFalse();
  }

  @Test
  void classWeightIsBalancedOrAMap() {
    assertThat(load("model.class_weight=balanced").model().classWeight().balanced()).isTrue();
    assertThat(load("model.class_weight={\"1\": 4.5}").model().classWeight().weights()).isEqualTo(Map.of("1", 4.5));
    assertThatThrownBy(() -> load("model.class_weight=heavy"))
        .hasMessageStartingWith("config key 'model.class_weight': expected 'balanced' or a mapping");
    assertThatThrownBy(() -> load("model.class_weight={\"1\": -2}"))
        .hasMessage("config key 'model.class_weight.1': a class weight must be a positive number, got -2");
    assertThatThrownBy(() -> load("model.class_weight={\"7\": 2}"))
        .hasMessageStartingWith("config key 'model.class_weight.7': is not a class of dataset.label 'churned'");
  }

  @Test
  void solverRules() {
    assertThat(load("model.solver=sgd", "model.sgd={step_size: 0.5, mini_batch_fraction: 0.25}").model().sgd())
        .isEqualTo(new ModelConfig.SgdConfig(0.5, 0.25, 100, 1.0e-6));
    assertThatThrownBy(() -> load("model.solver=normal"))
        .hasMessageStartingWith("config key 'model.solver': normal (the normal equation) solves linear models only");
    assertThatThrownBy(() -> load("model.solver=sgd", "model.sgd.mini_batch_fraction=0"))
        .hasMessage("config key 'model.sgd.mini_batch_fraction': must be in (0, 1]");
  }

  @Test
  void aLabelWithThreeClassesIsMultinomialUnlessBinomialIsAsked(@TempDir Path tmp) throws IOException {
    String base = Files.readString(Path.of("../conf/base.yaml"));
    Files.writeString(tmp.resolve("base.yaml"), base.replace("allowed: [\"0\", \"1\"]}", "allowed: [\"0\", \"1\", \"2\"]}"));
    Files.copy(Path.of(LOCAL), tmp.resolve("local.yaml"));
    List<String> three = List.of(tmp.resolve("local.yaml").toString());
    assertThat(ConfigLoader.load(three, List.of()).model().family()).isEqualTo(ModelConfig.Family.AUTO);
    assertThatThrownBy(() -> ConfigLoader.load(three, List.of("model.family=binomial")))
        .hasMessageStartingWith("config key 'model.family': binomial needs a 0/1 label");
    assertThatThrownBy(() -> ConfigLoader.load(three, List.of("model.family=multinomial", "model.solver=sgd")))
        .hasMessageStartingWith("config key 'model.solver': sgd fits binomial logistic and linear models");
  }

  @Test
  void timeSplitNeedsDays() {
    assertThat(load("train.holdout.by=time", "train.holdout.days=2").train().holdout().days()).isEqualTo(2);
    assertThatThrownBy(() -> load("train.holdout.by=time"))
        .hasMessageStartingWith("config key 'train.holdout.days': is required when train.holdout.by is time");
    assertThatThrownBy(() -> load("train.holdout.days=2"))
        .hasMessage("config key 'train.holdout.days': applies only with train.holdout.by: time");
  }

  @Test
  void tuningGridNamesKnownParameters() {
    TrainConfig.TuningConfig t = load("train.tuning={grid: {reg_param: [0.0, 0.1]}}").train().tuning();
    assertThat(t.method()).isEqualTo(TrainConfig.TuningMethod.CROSS_VALIDATION);
    assertThat(t.folds()).isEqualTo(3);
    assertThatThrownBy(() -> load("train.tuning={grid: {regparam: [0.1]}}"))
        .hasMessageStartingWith("config key 'train.tuning.grid.regparam': unknown parameter (known: reg_param");
    assertThatThrownBy(() -> load("train.tuning={grid: {step_size: [0.1]}}"))
        .hasMessage("config key 'train.tuning.grid.step_size': applies only with model.solver: sgd");
    assertThatThrownBy(() -> load("train.tuning={grid: {reg_param: [-1]}}"))
        .hasMessage("config key 'train.tuning.grid.reg_param[0]': must be >= 0");
    assertThatThrownBy(() -> load("train.tuning={grid: {reg_param: [0.1]}, metric: rmse}"))
        .hasMessageStartingWith("config key 'train.tuning.metric': unknown metric for a logistic model");
  }
}
