package dev.glmpipe.registry;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.io.JsonFiles;
import dev.glmpipe.io.StoreSemantics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;

/**
 * The versions of one model: writing a new one so that it appears whole or not at all, listing
 * them, and reading their files (see {@link ModelRegistry} for visibility).
 */
public final class VersionStore {
  private final Configuration conf;
  private final RegistryPaths paths;
  private final String name;

  VersionStore(Configuration conf, RegistryPaths paths, String name) {
    this.conf = conf;
    this.paths = paths;
    this.name = name;
  }

  /**
   * Creates a new version. {@code writer} fills the draft directory (model, profile, …) and
   * returns the manifest; the store adds every file's SHA-256 and writes the manifest last,
   * which publishes the version. Version ids sort by creation time.
   */
  public String create(Function<VersionDraft, ModelManifest> writer) {
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    String version = VersionId.generate(now);
    Path versions = paths.versions();
    Path target = paths.version(version);
    boolean committed = false;
    Path work = target;
    try {
      FileSystem fs = fs();
      boolean rename = StoreSemantics.renameIsAtomic(fs, conf);
      // The draft's name is this writer's own: two trains that drew the same id never share one.
      work = rename ? new Path(versions, RegistryPaths.TMP_PREFIX + java.util.UUID.randomUUID().toString().substring(0, 8)
          + "-" + version) : target;
      if (fs.exists(target)) {
        throw new IOException(target + " already exists");
      }
      fs.mkdirs(work);
      ModelManifest manifest = writer.apply(new VersionDraft(version, now.toString(), work));
      if (!version.equals(manifest.version())) {
        throw new IllegalStateException("the manifest names version " + manifest.version() + ", not " + version);
      }
      Map<String, String> files = FileChecksums.of(fs, work, RegistryPaths.MANIFEST);
      JsonFiles.write(conf, new Path(work, RegistryPaths.MANIFEST), manifest.withFiles(files));
      if (rename && fs.exists(target)) {
        // A rename onto an existing directory would move this one inside it.
        throw new IOException(target + " appeared while this version was written (another train drew the same id)");
      }
      if (rename && !fs.rename(work, target)) {
        throw new IOException("could not move " + work + " to " + target);
      }
      committed = true;
      return version;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create model version under " + versions, e);
    } finally {
      if (!committed || !work.equals(target)) {
        RegistryPaths.deleteQuietly(conf, work);
      }
    }
  }

  /** The not-yet-visible directory of a version being written. */
  public record VersionDraft(String version, String createdAt, Path dir) {
    public Path modelDir() {
      return new Path(dir, RegistryPaths.MODEL_DIR);
    }
  }

  /** Visible (committed) versions, oldest first. */
  public List<String> list() {
    return versionDirs(true);
  }

  /**
   * Directories under {@code versions/} that are not (yet) versions: a writer still at work, or
   * one that died. Readers ignore them; {@code models list} shows them so they can be removed.
   */
  public List<String> incomplete() {
    return versionDirs(false);
  }

  public String latest() {
    List<String> all = list();
    if (all.isEmpty()) {
      throw GlmpipeException.usage("model '" + name + "' has no versions under " + paths.root() + ": run train first");
    }
    return all.get(all.size() - 1);
  }

  /** A committed version's directory, or a usage error naming the model and version. */
  public Path dir(String version) {
    Path dir = paths.version(version);
    if (version.startsWith(RegistryPaths.TMP_PREFIX) || !hasManifest(dir)) {
      throw GlmpipeException.usage("model '" + name + "' has no version '" + version + "' under " + paths.root());
    }
    return dir;
  }

  /** The version's fitted pipeline (see {@link PipelineLoader}: its stages are read in parallel). */
  PipelineModel loadPipeline(String version) {
    return PipelineLoader.load(conf, new Path(dir(version), RegistryPaths.MODEL_DIR));
  }

  /**
   * Read as stored (raw on a local disk): an edited manifest must reach verification, which
   * names what changed, rather than fail on Hadoop's checksum side file.
   */
  public ModelManifest manifest(String version) {
    Path path = new Path(dir(version), RegistryPaths.MANIFEST);
    try (java.io.InputStream in = StoreSemantics.raw(fs()).open(path)) {
      return JsonFiles.MAPPER.readValue(in, ModelManifest.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  /** A JSON file of the version's directory, or empty when the version has none. */
  <T> java.util.Optional<T> readIfPresent(String version, String file, Class<T> type) {
    Path path = new Path(dir(version), file);
    try {
      if (!fs().exists(path)) {
        return java.util.Optional.empty();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + path, e);
    }
    return java.util.Optional.of(JsonFiles.read(conf, path, type));
  }

  Configuration conf() {
    return conf;
  }

  /** SHA-256 of the version's manifest.json as stored. */
  public String manifestSha256(String version) {
    Path path = new Path(dir(version), RegistryPaths.MANIFEST);
    try {
      return FileChecksums.sha256(fs(), path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  /** Every file of the version but the manifest, with its SHA-256 as stored now. */
  Map<String, String> checksums(String version) throws IOException {
    return FileChecksums.of(fs(), dir(version), RegistryPaths.MANIFEST);
  }

  /**
   * Names of directories under {@code versions/} that are (committed) or are not versions, sorted:
   * a version is named like an id ({@link VersionId}) and has its manifest.
   */
  private List<String> versionDirs(boolean committed) {
    Path versions = paths.versions();
    try {
      FileSystem fs = fs();
      if (!fs.exists(versions)) {
        return List.of();
      }
      List<String> out = new ArrayList<>();
      for (FileStatus st : fs.listStatus(versions)) {
        String n = st.getPath().getName();
        if (st.isDirectory() && !n.startsWith(".") && (VersionId.isValid(n) && hasManifest(st.getPath())) == committed) {
          out.add(n);
        }
      }
      out.sort(Comparator.naturalOrder());
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + versions, e);
    }
  }

  private boolean hasManifest(Path versionDir) {
    if (versionDir.getName().startsWith(RegistryPaths.TMP_PREFIX)) {
      return false;
    }
    try {
      return fs().exists(new Path(versionDir, RegistryPaths.MANIFEST));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + versionDir, e);
    }
  }

  private FileSystem fs() throws IOException {
    return paths.root().getFileSystem(conf);
  }

}
