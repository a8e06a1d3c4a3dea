package dev.glmpipe.registry;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Where each file of one model's registry lives (see {@link ModelRegistry} for the layout).
 * Paths only: nothing here touches the file system. Every path built from a version id or an
 * alias name checks it first ({@link VersionId}), so no argument reaches outside the model's
 * directory.
 */
public record RegistryPaths(Path root) {
  public static final String MANIFEST = "manifest.json";
  public static final String MODEL_DIR = "model";
  /** Prefix of a version directory still being written where rename is atomic ({@code _tmp-<writer>-<version>}). */
  static final String TMP_PREFIX = "_tmp-";

  public static RegistryPaths of(Path modelsRoot, String name) {
    return new RegistryPaths(new Path(modelsRoot, name));
  }

  public Path versions() {
    return new Path(root, "versions");
  }

  /** A version's directory, whether or not it exists (see {@link VersionStore#dir}). */
  Path version(String version) {
    return new Path(versions(), id(version));
  }

  public Path evaluation(String version) {
    return new Path(new Path(root, "evaluations"), id(version) + ".json");
  }

  public Path report(String version) {
    return new Path(new Path(root, "reports"), id(version) + ".html");
  }

  /**
   * A baseline rebuilt by monitoring for a version trained before baselines: outside the
   * version directory, which never changes.
   */
  public Path rebuiltBaseline(String version) {
    return new Path(new Path(root, "baselines"), id(version) + ".json");
  }

  public Path exports(String version) {
    return new Path(exportsRoot(), id(version));
  }

  Path alias(String alias) {
    if (!VersionId.ALIASES.contains(alias)) {
      throw new IllegalArgumentException("not an alias: '" + alias + "'");
    }
    return new Path(new Path(root, "aliases"), alias + ".json");
  }

  /** The parent of every version's exports directory. */
  Path exportsRoot() {
    return new Path(root, "exports");
  }

  private static String id(String version) {
    return VersionId.require("version", version == null ? "null" : version);
  }

  Path history() {
    return new Path(new Path(root, "aliases"), "history");
  }

  /**
   * Removes a draft directory if it is there, ignoring failures: a directory without a manifest
   * is invisible to readers (a version or an export is published by its manifest) and the next
   * writer replaces it.
   */
  static void deleteQuietly(Configuration conf, Path path) {
    try {
      FileSystem fs = path.getFileSystem(conf);
      if (fs.exists(path)) {
        fs.delete(path, true);
      }
    } catch (IOException ignored) {
      // See above: harmless, and replaced by the next write.
    }
  }
}
