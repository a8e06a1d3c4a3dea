package dev.glmpipe.registry;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.io.JsonFiles;
import dev.glmpipe.io.StoreSemantics;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The portable exports of each version ({@code exports/<version>/}: {@code coefficients.json},
 * {@code model.onnx}, {@code onnx.json}), immutable like the version they come from: published
 * once and whole, with a {@code manifest.json} holding every file's SHA-256, and verified by
 * whatever reads them.
 *
 * <p>As for versions (see {@link ModelRegistry}), the manifest is written last and is the commit
 * marker: where rename is atomic the files are written under {@code exports/_tmp-<version>-…}
 * and renamed into place; on object stores they are written in place and the manifest's single
 * PUT publishes them. A directory without a manifest (a writer that died, or exports written
 * before they had manifests) is not published, and the next export replaces it. A published one
 * is never rewritten: a second export verifies and reuses it, so a consumer that fetched
 * {@code model.onnx} once has the same bytes as everyone after.
 */
public final class ExportStore {
  /** Which version the exports come from, when, and the SHA-256 of every file beside it. */
  public record ExportManifest(String model, String version, String createdAt, String versionManifestSha256,
      Map<String, String> files) {}

  private final Configuration conf;
  private final RegistryPaths paths;
  private final String name;

  ExportStore(Configuration conf, RegistryPaths paths, String name) {
    this.conf = conf;
    this.paths = paths;
    this.name = name;
  }

  /** Where the version's exports live, published or not. */
  public Path dir(String version) {
    return paths.exports(version);
  }

  /** Whether the version's exports are published (their manifest is there). */
  public boolean exists(String version) {
    Path manifest = new Path(dir(version), RegistryPaths.MANIFEST);
    try {
      return fs().exists(manifest);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + manifest, e);
    }
  }

  /**
   * Publishes the exports of {@code version}: {@code writer} writes the files into the directory
   * it is given; the store then writes the manifest with their SHA-256, which publishes them.
   *
   * @param versionManifestSha256 the SHA-256 of the version's manifest they were made from
   * @return the published directory
   * @throws IllegalStateException when the version's exports are already published (never rewritten)
   */
  public Path publish(String version, String versionManifestSha256, Consumer<Path> writer) {
    Path target = dir(version);
    if (exists(version)) {
      throw new IllegalStateException("the exports of " + name + " version " + version + " are already published: " + target);
    }
    Path work = null;
    boolean published = false;
    try {
      FileSystem fs = fs();
      boolean rename = StoreSemantics.renameIsAtomic(fs, conf);
      if (fs.exists(target)) {
        fs.delete(target, true);  // never published (no manifest): a dead writer's or pre-manifest files
      }
      work = rename ? new Path(paths.exportsRoot(), RegistryPaths.TMP_PREFIX + version + "-" + UUID.randomUUID()) : target;
      fs.mkdirs(work);
      writer.accept(work);
      Map<String, String> files = FileChecksums.of(fs, work, RegistryPaths.MANIFEST);
      JsonFiles.write(conf, new Path(work, RegistryPaths.MANIFEST), new ExportManifest(name, version,
          ZonedDateTime.now(ZoneOffset.UTC).toString(), versionManifestSha256, files));
      if (rename && fs.exists(target)) {
        // A rename onto an existing directory would move this one inside it.
        throw new IOException(target + " appeared while these exports were written (another export of the version?)");
      }
      if (rename && !fs.rename(work, target)) {
        throw new IOException("could not move " + work + " to " + target);
      }
      published = true;
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot publish the exports of " + name + " version " + version + " under " + target, e);
    } finally {
      if (work != null && (!published || !work.equals(target))) {
        RegistryPaths.deleteQuietly(conf, work);
      }
    }
  }

  /** Every published export file of {@code version} against its manifest (call after {@link #exists}). */
  public VersionVerifier.Verification verify(String version) {
    Path dir = dir(version);
    Path manifestPath = new Path(dir, RegistryPaths.MANIFEST);
    List<String> problems = new ArrayList<>();
    try {
      FileSystem fs = fs();
      String manifestSha = FileChecksums.sha256(fs, manifestPath);
      ExportManifest manifest;
      // Read as stored, as the version's manifest is: an edit must reach the comparison below.
      try (InputStream in = StoreSemantics.raw(fs).open(manifestPath)) {
        manifest = JsonFiles.MAPPER.readValue(in, ExportManifest.class);
      } catch (IOException e) {
        problems.add(RegistryPaths.MANIFEST + ": not a readable exports manifest ("
            + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + ")");
        return new VersionVerifier.Verification(name, version, false, 0, manifestSha, problems);
      }
      if (!version.equals(manifest.version())) {
        problems.add(RegistryPaths.MANIFEST + ": names version " + manifest.version() + ", not " + version);
      }
      Map<String, String> expected = manifest.files() == null ? Map.of() : manifest.files();
      problems.addAll(FileChecksums.problems(expected, FileChecksums.of(fs, dir, RegistryPaths.MANIFEST)));
      return new VersionVerifier.Verification(name, version, problems.isEmpty(), expected.size(), manifestSha, problems);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot verify " + dir, e);
    }
  }

  /**
   * The directory of the version's published exports once every file verified; a data error
   * (exit 3) naming the first file that does not otherwise. Everything that reads exports
   * comes through here.
   */
  public Path requireVerified(String version) {
    VersionVerifier.Verification v = verify(version);
    if (!v.ok()) {
      throw GlmpipeException.dataContract("the exports of model '" + name + "' version " + version
          + " failed verification, refusing to use them: " + v.problems().get(0)
          + (v.problems().size() > 1 ? " (and " + (v.problems().size() - 1) + " more)" : "") + " (glmpipe models verify lists all)");
    }
    return dir(version);
  }

  private FileSystem fs() throws IOException {
    return paths.root().getFileSystem(conf);
  }

}
