package dev.glmpipe.registry;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.io.JsonFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The model registry of one model name, on the Hadoop FileSystem API:
 *
 * <pre>
 * models/&lt;name&gt;/versions/&lt;version&gt;/{model/, manifest.json}   immutable once visible
 * models/&lt;name&gt;/evaluations/&lt;version&gt;.json                    evaluate's metrics and decision
 * models/&lt;name&gt;/exports/&lt;version&gt;/coefficients.json           export's portable files
 * models/&lt;name&gt;/aliases/{champion,previous}.json                alias files, replaced atomically
 * </pre>
 *
 * A version is written under a hidden temporary name and renamed into place when complete, so
 * on HDFS and local disks a reader never sees half a version. (On object stores that rename is
 * a copy of every file; a commit marker written last would close that gap.)
 */
public final class ModelRegistry {
  public static final String CHAMPION = "champion";
  public static final String PREVIOUS = "previous";
  public static final String MANIFEST = "manifest.json";
  public static final String MODEL_DIR = "model";

  private static final DateTimeFormatter VERSION_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  private final Configuration conf;
  private final Path root;
  private final String name;

  public ModelRegistry(Configuration conf, Path modelsRoot, String name) {
    this.conf = conf;
    this.root = new Path(modelsRoot, name);
    this.name = name;
  }

  /** An alias file's content. */
  public record Alias(String version, String updatedAt, String previousVersion) {}

  public String name() {
    return name;
  }

  public Path root() {
    return root;
  }

  /**
   * Creates a new version: {@code writer} fills a temporary directory, which is then renamed to
   * {@code versions/<version>}. Version ids sort by creation time.
   */
  public String createVersion(Consumer<VersionDraft> writer) {
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    String version = VERSION_TIME.format(now) + "-" + UUID.randomUUID().toString().substring(0, 4);
    Path versions = new Path(root, "versions");
    Path tmp = new Path(versions, "_tmp-" + version);
    Path target = new Path(versions, version);
    try {
      FileSystem fs = fs();
      fs.mkdirs(tmp);
      writer.accept(new VersionDraft(version, now.toString(), tmp));
      if (fs.exists(target) || !fs.rename(tmp, target)) {
        throw new IOException("could not move " + tmp + " to " + target);
      }
      return version;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create model version under " + versions, e);
    } finally {
      deleteQuietly(tmp);
    }
  }

  /** The not-yet-visible directory of a version being written. */
  public record VersionDraft(String version, String createdAt, Path dir) {
    public Path modelDir() {
      return new Path(dir, MODEL_DIR);
    }

    public Path manifestPath() {
      return new Path(dir, MANIFEST);
    }
  }

  /** Visible versions, oldest first. */
  public List<String> versions() {
    Path versions = new Path(root, "versions");
    try {
      FileSystem fs = fs();
      if (!fs.exists(versions)) {
        return List.of();
      }
      List<String> out = new ArrayList<>();
      for (FileStatus st : fs.listStatus(versions)) {
        String n = st.getPath().getName();
        if (st.isDirectory() && !n.startsWith("_") && !n.startsWith(".")) {
          out.add(n);
        }
      }
      out.sort(Comparator.naturalOrder());
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + versions, e);
    }
  }

  public String latestVersion() {
    List<String> all = versions();
    if (all.isEmpty()) {
      throw GlmpipeException.usage("model '" + name + "' has no versions under " + root + ": run train first");
    }
    return all.get(all.size() - 1);
  }

  public Path versionDir(String version) {
    Path dir = new Path(new Path(root, "versions"), version);
    try {
      if (!fs().exists(new Path(dir, MANIFEST))) {
        throw GlmpipeException.usage("model '" + name + "' has no version '" + version + "' under " + root);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + dir, e);
    }
    return dir;
  }

  public Path modelDir(String version) {
    return new Path(versionDir(version), MODEL_DIR);
  }

  public ModelManifest manifest(String version) {
    return JsonFiles.read(conf, new Path(versionDir(version), MANIFEST), ModelManifest.class);
  }

  public Path evaluationPath(String version) {
    return new Path(new Path(root, "evaluations"), version + ".json");
  }

  public Path exportDir(String version) {
    return new Path(new Path(root, "exports"), version);
  }

  public Optional<Alias> alias(String alias) {
    Path path = aliasPath(alias);
    try {
      if (!fs().exists(path)) {
        return Optional.empty();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + path, e);
    }
    return Optional.of(JsonFiles.read(conf, path, Alias.class));
  }

  /** The champion's version, or a clear error telling the user how to get one. */
  public String champion() {
    return alias(CHAMPION).map(Alias::version).orElseThrow(() -> GlmpipeException.usage(
        "model '" + name + "' has no champion yet (no " + aliasPath(CHAMPION) + "): run train, evaluate and export first"));
  }

  /**
   * Points {@code champion} at {@code version}, keeping the old champion as {@code previous}.
   * Each alias file is replaced atomically, so readers see the old or the new version, never
   * garbage.
   */
  public void promote(String version) {
    versionDir(version);
    String now = ZonedDateTime.now(ZoneOffset.UTC).toString();
    Optional<Alias> current = alias(CHAMPION);
    if (current.isPresent() && current.get().version().equals(version)) {
      return;  // already champion: keep its rollback pointer as it is
    }
    if (current.isPresent()) {
      JsonFiles.replaceAtomically(conf, aliasPath(PREVIOUS), new Alias(current.get().version(), now, null));
    }
    JsonFiles.replaceAtomically(conf, aliasPath(CHAMPION),
        new Alias(version, now, current.map(Alias::version).orElse(null)));
  }

  private Path aliasPath(String alias) {
    return new Path(new Path(root, "aliases"), alias + ".json");
  }

  private FileSystem fs() throws IOException {
    return root.getFileSystem(conf);
  }

  private void deleteQuietly(Path path) {
    try {
      FileSystem fs = fs();
      if (fs.exists(path)) {
        fs.delete(path, true);
      }
    } catch (IOException ignored) {
      // A leftover _tmp- directory is invisible to readers and harmless.
    }
  }
}
