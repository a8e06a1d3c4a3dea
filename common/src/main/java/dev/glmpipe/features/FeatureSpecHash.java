package dev.glmpipe.features;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glmpipe.config.FeaturesConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The identity of a feature spec: SHA-256 of its canonical JSON ({@link FeaturesConfig#toTree()}:
 * YAML key names, sorted keys, defaults filled in, no whitespace). Two specs that prepare
 * features the same way hash the same however the YAML was written (key order, flow or block
 * style, defaults spelled out or not); any change to a value changes it.
 */
public final class FeatureSpecHash {
  private static final ObjectMapper CANONICAL = new ObjectMapper();

  private FeatureSpecHash() {}

  public static String of(FeaturesConfig spec) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonicalJson(spec).getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  public static String canonicalJson(FeaturesConfig spec) {
    try {
      return CANONICAL.writeValueAsString(spec.toTree());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a config tree is always JSON", e);
    }
  }
}
