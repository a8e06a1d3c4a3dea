package dev.glmpipe.scorer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An exports directory is used only when every file matches its manifest. */
class VerifiedExportTest {
  private static final String VERSION = "20261123-162116-b5b8";

  @TempDir Path root;

  private Path published(String coefficients) throws Exception {
    Path dir = Files.createDirectories(root.resolve(VERSION));
    Files.writeString(dir.resolve("coefficients.json"), coefficients);
    Files.writeString(dir.resolve(".coefficients.json.crc"), "hadoop's side file");
    String sha = VerifiedExport.sha256(coefficients.getBytes(StandardCharsets.UTF_8));
    Files.writeString(dir.resolve("manifest.json"), "{\"model\":\"churn\",\"version\":\"" + VERSION
        + "\",\"version_manifest_sha256\":\"abc\",\"files\":{\"coefficients.json\":\"" + sha + "\"}}");
    return dir;
  }

  @Test
  void aPublishedExportVerifiesAndHandsOutTheBytesItHashed() throws Exception {
    VerifiedExport e = VerifiedExport.read(published("{\"x\":1}"));
    assertThat(e.coefficientsJson()).isEqualTo("{\"x\":1}");
    assertThat(e.version()).isEqualTo(VERSION);
    assertThat(e.versionManifestSha256()).isEqualTo("abc");
  }

  @Test
  void aChangedMissingOrUnexpectedFileIsRefusedNamingIt() throws Exception {
    Path dir = published("{\"x\":1}");
    Files.writeString(dir.resolve("coefficients.json"), "{\"x\":2}");
    assertThatThrownBy(() -> VerifiedExport.read(dir)).isInstanceOf(ExportVerificationException.class)
        .hasMessageContaining("failed verification, refusing to use them: coefficients.json: sha256");
    Files.delete(dir.resolve("coefficients.json"));
    assertThatThrownBy(() -> VerifiedExport.read(dir)).hasMessageContaining("coefficients.json: missing");
    Path other = published("{\"x\":1}");
    Files.writeString(other.resolve("model.onnx"), "?");
    assertThatThrownBy(() -> VerifiedExport.read(other)).hasMessageContaining("model.onnx: not in the manifest");
    Files.delete(other.resolve("manifest.json"));
    assertThatThrownBy(() -> VerifiedExport.read(other)).hasMessageContaining("no manifest.json");
  }
}
