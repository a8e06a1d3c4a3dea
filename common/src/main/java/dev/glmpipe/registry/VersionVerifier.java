package dev.glmpipe.registry;

import dev.glmpipe.GlmpipeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;

/**
 * Checks a version's files against its manifest: every file's SHA-256 recomputed, changed,
 * missing and unexpected files named; and, for a version reached through an alias, the
 * manifest against the SHA-256 the alias pinned, so an edited manifest is caught too.
 */
public final class VersionVerifier {
  private final VersionStore versions;
  private final String name;

  VersionVerifier(VersionStore versions, String name) {
    this.versions = versions;
    this.name = name;
  }

  /** The result of checking a version's files against its manifest. */
  public record Verification(String model, String version, boolean ok, int files, String manifestSha256,
      List<String> problems) {}

  /** Recomputes the SHA-256 of every file of {@code version} and compares with its manifest. */
  public Verification verify(String version) {
    return verify(version, null, null);
  }

  /**
   * As {@link #verify(String)}, and the manifest's SHA-256 must equal {@code pinnedManifestSha}
   * (when not null), which alias {@code pinnedBy} recorded.
   */
  public Verification verify(String version, String pinnedManifestSha, String pinnedBy) {
    Path dir = versions.dir(version);
    List<String> problems = new ArrayList<>();
    String manifestSha = versions.manifestSha256(version);
    if (pinnedManifestSha != null && !pinnedManifestSha.equals(manifestSha)) {
      problems.add(RegistryPaths.MANIFEST + ": sha256 " + manifestSha + " differs from " + pinnedManifestSha
          + " recorded by alias " + pinnedBy);
    }
    ModelManifest manifest;
    try {
      manifest = versions.manifest(version);
    } catch (UncheckedIOException e) {
      problems.add(RegistryPaths.MANIFEST + ": not a readable manifest ("
          + e.getCause().getMessage().lines().findFirst().orElse("") + ")");
      return new Verification(name, version, false, 0, manifestSha, problems);
    }
    if (!version.equals(manifest.version())) {
      problems.add(RegistryPaths.MANIFEST + ": names version " + manifest.version() + ", not " + version);
    }
    Map<String, String> expected = manifest.files();
    if (expected == null || expected.isEmpty()) {
      problems.add(RegistryPaths.MANIFEST + ": lists no file checksums (written before glmpipe recorded them): train a new version");
      return new Verification(name, version, false, 0, manifestSha, problems);
    }
    Map<String, String> actual;
    try {
      actual = versions.checksums(version);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot verify " + dir, e);
    }
    problems.addAll(FileChecksums.problems(expected, actual));
    return new Verification(name, version, problems.isEmpty(), expected.size(), manifestSha, problems);
  }

  /** Throws a data error (exit 3) naming the first problems if the version does not verify. */
  public Verification require(String version) {
    return require(verify(version));
  }

  /** Throws a data error (exit 3) naming the first problems unless {@code v} is ok. */
  Verification require(Verification v) {
    if (!v.ok()) {
      List<String> shown = v.problems().subList(0, Math.min(3, v.problems().size()));
      throw GlmpipeException.dataContract("model '" + name + "' version " + v.version() + " failed verification, refusing to use it: "
          + String.join("; ", shown) + (v.problems().size() > shown.size() ? "; and " + (v.problems().size() - shown.size()) + " more" : "")
          + " (glmpipe models verify lists all)");
    }
    return v;
  }
}
