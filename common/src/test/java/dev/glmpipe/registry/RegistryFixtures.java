package dev.glmpipe.registry;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Versions with a few small files in place of a real MLlib model, for registry tests. */
final class RegistryFixtures {
  private RegistryFixtures() {}

  static ModelManifest manifest(String name, String version) {
    return new ModelManifest(name, version, "2026-11-01T00:00:00Z", null, "logistic", "y", List.of("id"), null,
        Map.of("train", 10L), Map.of(), List.of("x"), List.of("x"), Map.of(), "sha256:0", null, null,
        "3.5.9", "test", List.of(new ModelManifest.SchemaField("x", "double", true)), null);
  }

  /** Writes {@code files} small files under the draft's model directory. */
  static ModelManifest writeModel(Configuration conf, VersionStore.VersionDraft draft, int files) {
    try {
      FileSystem fs = draft.dir().getFileSystem(conf);
      for (int i = 0; i < files; i++) {
        writeFile(fs, new Path(draft.modelDir(), "part-" + i), "weights " + i + " of " + draft.version());
      }
      writeFile(fs, new Path(draft.dir(), "profile.json"), "{}");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return manifest("m", draft.version());
  }

  static void writeFile(FileSystem fs, Path path, String content) throws IOException {
    try (OutputStream out = fs.create(path, false)) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
    }
  }
}
