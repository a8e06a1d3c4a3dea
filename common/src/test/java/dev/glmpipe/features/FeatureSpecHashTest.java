package dev.glmpipe.features;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glmpipe.config.ConfigBinder;
import dev.glmpipe.config.ConfigLoader;
import dev.glmpipe.config.FeaturesConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeatureSpecHashTest {
  private static final String LOCAL = "../conf/local.yaml";

  private static FeaturesConfig features(String... sets) {
    return ConfigLoader.load(List.of(LOCAL), List.of(sets)).features();
  }

  @Test
  void theShippedSpecSurvivesARoundTripThroughItsTree() {
    FeaturesConfig shipped = features();
    assertThat(ConfigBinder.bind(shipped.toTree(), FeaturesConfig.class)).isEqualTo(shipped);
  }

  @Test
  void theSameSpecWrittenDifferentlyHashesTheSame() {
    String a = FeatureSpecHash.of(features(
        "features.numeric=[{column: tenure_months, impute: mean, scale: none}, {column: support_calls, clip: [0, 10]}]",
        "features.categorical=[{column: plan, min_count: 1}]"));
    String b = FeatureSpecHash.of(features(
        "features.numeric=[{scale: NONE, column: tenure_months}, {clip: [0.0, 10.0], column: support_calls, transform: none}]",
        "features.categorical=[{column: plan}]"));
    assertThat(a).isEqualTo(b).matches("sha256:[0-9a-f]{64}");
  }

  @Test
  void anyChangeToTheSpecChangesTheHash() {
    String base = FeatureSpecHash.of(features());
    List<String[]> changes = List.of(
        new String[] {"features.numeric=[{column: tenure_months, buckets: 5}]"},
        new String[] {"features.numeric=[{column: tenure_months, buckets: 6}]"},
        new String[] {"features.categorical=[{column: plan, min_count: 2}, {column: region}]"},
        new String[] {"features.boolean=[]"},
        new String[] {"features.timestamp=[{column: last_login_at, parts: [day_of_week], time_zone: Europe/Paris}]"},
        new String[] {"features.crosses=[{columns: [region, plan]}]"});
    List<String> hashes = changes.stream().map(c -> FeatureSpecHash.of(features(c))).toList();
    assertThat(hashes).doesNotContain(base).doesNotHaveDuplicates();
  }

  @Test
  void theHashIsSha256OfSortedCompactJson() throws Exception {
    FeaturesConfig spec = new FeaturesConfig(null, List.of(new FeaturesConfig.CategoricalFeature("plan", 5, null)),
        List.of("autopay"), null, null, null);
    String json = "{\"boolean\":[\"autopay\"],\"categorical\":[{\"column\":\"plan\",\"min_count\":5,\"top_k\":1000}]}";
    assertThat(FeatureSpecHash.canonicalJson(spec)).isEqualTo(json);
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8));
    assertThat(FeatureSpecHash.of(spec)).isEqualTo("sha256:" + HexFormat.of().formatHex(digest));
  }
}
