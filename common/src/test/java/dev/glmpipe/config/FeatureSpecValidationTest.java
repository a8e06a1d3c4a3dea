package dev.glmpipe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every feature spec mistake fails before Spark starts, naming the key to fix. */
class FeatureSpecValidationTest {
  private static final String LOCAL = "../conf/local.yaml";

  private static void load(String... sets) {
    ConfigLoader.load(List.of(LOCAL), List.of(sets));
  }

  @Test
  void theShippedSpecIsValid() {
    assertThatCode(() -> load()).doesNotThrowAnyException();
  }

  @Test
  void numericMistakesNameTheKey() {
    assertThatThrownBy(() -> load("features.numeric=[{column: tenure_months}, {column: support_calls, clip: [10, 1]}]"))
        .hasMessage("config key 'features.numeric[1].clip': lower bound must not exceed upper (10.0 > 1.0)");
    assertThatThrownBy(() -> load("features.numeric=[{column: support_calls, clip: [1, 2, 3]}]"))
        .hasMessage("config key 'features.numeric[0].clip': must be [lower, upper], got 3 value(s)");
    assertThatThrownBy(() -> load("features.numeric=[{column: support_calls, impute: constant}]"))
        .hasMessage("config key 'features.numeric[0].impute_value': is required when impute is constant");
    assertThatThrownBy(() -> load("features.numeric=[{column: support_calls, impute: median, impute_value: 3}]"))
        .hasMessage("config key 'features.numeric[0].impute_value': applies only with impute: constant");
    assertThatThrownBy(() -> load("features.numeric=[{column: support_calls, clip: [-5, 5], transform: log1p}]"))
        .hasMessageStartingWith("config key 'features.numeric[0].transform': log1p needs values above -1");
    assertThatThrownBy(() -> load("features.numeric=[{column: support_calls, buckets: 4, scale: standard}]"))
        .hasMessageStartingWith("config key 'features.numeric[0].scale': a bucketed column is one-hot encoded");
    assertThatThrownBy(() -> load("features.numeric=[{column: support_calls, buckets: 1}]"))
        .hasMessage("config key 'features.numeric[0].buckets': must be between 2 and 100, got 1");
    assertThatThrownBy(() -> load("features.numeric=[{column: support_calls, transform: sqrt}]"))
        .hasMessage("config key 'features.numeric[0].transform': expected one of [none, log1p], got 'sqrt'");
    assertThatThrownBy(() -> load("features.numeric=[{column: plan}]"))
        .hasMessage("config key 'features.numeric[0].column': 'plan' is string, not numeric");
    assertThatThrownBy(() -> load("features.numeric=[{column: support_calls, bucket: 4}]"))
        .hasMessageStartingWith("config key 'features.numeric[0].bucket': unknown key (known keys here: buckets, clip, column,");
  }

  @Test
  void categoricalAndCrossMistakesNameTheKey() {
    assertThatThrownBy(() -> load("features.categorical=[{column: plan, min_count: 0}]"))
        .hasMessage("config key 'features.categorical[0].min_count': must be at least 1, got 0");
    assertThatThrownBy(() -> load("features.categorical=[{column: plan}, {column: region, top_k: 0}]"))
        .hasMessageStartingWith("config key 'features.categorical[1].top_k': must be between 1 and 10000");
    assertThatThrownBy(() -> load("features.categorical=[{column: monthly_charges}]"))
        .hasMessageStartingWith("config key 'features.categorical[0].column': 'monthly_charges' must be a string, integer or long column");
    assertThatThrownBy(() -> load("features.crosses=[{columns: [plan, x]}]"))
        .hasMessage("config key 'features.crosses[0].columns[1]': column 'x' is not declared in dataset.contract.columns");
    assertThatThrownBy(() -> load("features.crosses=[{columns: [plan]}]"))
        .hasMessage("config key 'features.crosses[0].columns': must name exactly two columns, got 1");
    assertThatThrownBy(() -> load("features.crosses=[{columns: [plan, monthly_charges]}]"))
        .hasMessageStartingWith("config key 'features.crosses[0].columns[1]': 'monthly_charges' must be a string, integer, long or boolean");
    assertThatThrownBy(() -> load("features.crosses=[{columns: [plan, churned]}]"))
        .hasMessage("config key 'features.crosses[0].columns[1]': the label 'churned' cannot be a feature");
    assertThatThrownBy(() -> load("features.crosses=[{columns: [plan, region]}, {columns: [region, plan]}]"))
        .hasMessage("config key 'features.crosses[1].columns': this pair of columns is already crossed");
  }

  @Test
  void hashedAndTimestampMistakesNameTheKey() {
    assertThatThrownBy(() -> load("features.hashed=[{column: customer_id, buckets: 1}]"))
        .hasMessage("config key 'features.hashed[0].buckets': must be between 2 and 1048576, got 1");
    assertThatThrownBy(() -> load("features.hashed=[{column: customer_id}]"))
        .hasMessage("config key 'features.hashed[0].buckets': is required but missing");
    assertThatThrownBy(() -> load("features.hashed=[{column: plan, buckets: 8}]"))
        .hasMessage("config key 'features.hashed[0].column': column 'plan' is used by more than one feature");
    assertThatThrownBy(() -> load("features.timestamp=[{column: tenure_months, parts: [month]}]"))
        .hasMessageStartingWith("config key 'features.timestamp[0].column': 'tenure_months' is integer, but date parts need");
    assertThatThrownBy(() -> load("features.timestamp=[{column: last_login_at, parts: [hour, weekday]}]"))
        .hasMessage("config key 'features.timestamp[0].parts[1]': expected one of [day_of_week, month, hour], got 'weekday'");
    assertThatThrownBy(() -> load("features.timestamp=[{column: last_login_at, parts: [hour, hour]}]"))
        .hasMessage("config key 'features.timestamp[0].parts[1]': 'hour' is listed twice");
    assertThatThrownBy(() -> load("features.timestamp=[{column: last_login_at, parts: []}]"))
        .hasMessage("config key 'features.timestamp[0].parts': must list at least one of day_of_week, month, hour");
    assertThatThrownBy(() -> load("features.timestamp=[{column: last_login_at, parts: [hour], time_zone: Mars/Olympus}]"))
        .hasMessageStartingWith("config key 'features.timestamp[0].time_zone': is not a time zone id");
  }

  @Test
  void hourNeedsATimestampNotADate() {
    Map<String, Object> tree = ConfigLoader.loadTree(List.of(LOCAL),
        List.of("features.timestamp=[{column: signup, parts: [month, hour]}]"));
    withColumn(tree, Map.of("name", "signup", "type", "date"));
    assertThatThrownBy(() -> ConfigLoader.bind(tree))
        .hasMessage("config key 'features.timestamp[0].parts[1]': 'hour' needs a timestamp column; 'signup' is a date");
  }

  @Test
  void aSpecWithNoFeatureIsRefused() {
    assertThatThrownBy(() -> load("features.numeric=[]", "features.categorical=[]", "features.boolean=[]",
        "features.timestamp=[]", "features.crosses=[]"))
        .hasMessageStartingWith("config key 'features': must declare at least one");
  }

  @SuppressWarnings("unchecked")
  private static void withColumn(Map<String, Object> tree, Map<String, Object> column) {
    Map<String, Object> contract = (Map<String, Object>) ((Map<String, Object>) tree.get("dataset")).get("contract");
    List<Object> columns = new ArrayList<>((List<Object>) contract.get("columns"));
    columns.add(new LinkedHashMap<>(column));
    contract.put("columns", columns);
  }
}
