package dev.glmpipe.scorer.serve;

import dev.glmpipe.scorer.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One model's registry directory on a local or mounted file system ({@code <models>/<name>/}),
 * read the way the pipeline writes it: the {@code champion} alias
 * ({@code aliases/champion.json}, replaced atomically by promote and rollback) and each
 * version's published exports ({@code exports/<version>/}). The service reads a copy on disk
 * (a volume, a mounted bucket, a synced directory) rather than through Hadoop's FileSystem,
 * which would bring Hadoop into the scorer.
 */
public final class LocalRegistry {
  private static final Pattern VERSION = Pattern.compile("[0-9]{8}-[0-9]{6}-[0-9a-f]{4}");

  /** The champion alias: its version and the SHA-256 of the version manifest it pinned. */
  public record Alias(String version, String manifestSha256, String updatedAt) {}

  private final Path modelDir;
  private final String name;

  public LocalRegistry(Path modelsRoot, String name) {
    if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
      throw new IllegalArgumentException("--model must be a model name, not '" + name + "'");
    }
    this.modelDir = modelsRoot.resolve(name);
    this.name = name;
  }

  public String name() {
    return name;
  }

  /** The champion alias as it is now; empty when the model has none. */
  public Optional<Alias> champion() throws IOException {
    Path file = modelDir.resolve("aliases").resolve("champion.json");
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    Object doc = Json.parse(text);
    if (!(doc instanceof Map<?, ?> m) || !(m.get("version") instanceof String v)) {
      throw new IOException(file + " is not an alias (no version)");
    }
    if (!VERSION.matcher(v).matches()) {
      throw new IOException(file + " names '" + v + "', not a version id");
    }
    return Optional.of(new Alias(v, m.get("manifest_sha256") instanceof String s ? s : null,
        m.get("updated_at") instanceof String u ? u : null));
  }

  /** Where a version's exports are (the version id checked first, so no path leaves the model's directory). */
  public Path exportsOf(String version) {
    if (!VERSION.matcher(version).matches()) {
      throw new IllegalArgumentException("not a version id: '" + version + "'");
    }
    return modelDir.resolve("exports").resolve(version);
  }

  @Override
  public String toString() {
    return modelDir.toString();
  }
}
