package dev.glmpipe.registry;

import org.apache.hadoop.fs.Path;

/**
 * Where each file of one model's registry lives (see {@link ModelRegistry} for the layout).
 * Paths only: nothing here touches the file system.
 */
public record RegistryPaths(Path root) {
  public static final String MANIFEST = "manifest.json";
  public static final String MODEL_DIR = "model";
  /** Prefix of a version directory still being written where rename is atomic. */
  static final String TMP_PREFIX = "_tmp-";

  public static RegistryPaths of(Path modelsRoot, String name) {
    return new RegistryPaths(new Path(modelsRoot, name));
  }

  public Path versions() {
    return new Path(root, "versions");
  }

  /** A version's directory, whether or not it exists (see {@link VersionStore#dir}). */
  Path version(String version) {
    return new Path(versions(), version);
  }

  public Path evaluation(String version) {
    return new Path(new Path(root, "evaluations"), version + ".json");
  }

  public Path report(String version) {
    return new Path(new Path(root, "reports"), version + ".html");
  }

  /**
   * A baseline rebuilt by monitoring for a version trained before baselines: outside the
   * version directory, which never changes.
   */
  public Path rebuiltBaseline(String version) {
    return new Path(new Path(root, "baselines"), version + ".json");
  }

  public Path exports(String version) {
    return new Path(new Path(root, "exports"), version);
  }

  Path alias(String alias) {
    return new Path(new Path(root, "aliases"), alias + ".json");
  }

  Path history() {
    return new Path(new Path(root, "aliases"), "history");
  }
}
