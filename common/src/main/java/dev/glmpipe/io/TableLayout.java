package dev.glmpipe.io;

import dev.glmpipe.config.StorageConfig;
import java.io.File;
import org.apache.hadoop.fs.Path;

/** Resolves the configured storage root and table names to Hadoop paths. */
public final class TableLayout {
  private final Path root;
  private final StorageConfig.TablesConfig tables;

  private TableLayout(Path root, StorageConfig.TablesConfig tables) {
    this.root = root;
    this.tables = tables;
  }

  public static TableLayout of(StorageConfig storage) {
    return new TableLayout(resolve(storage.root()), storage.tables());
  }

  public Path root() {
    return root;
  }

  public Path raw() {
    return table(tables.raw());
  }

  public Path features() {
    return table(tables.features());
  }

  public Path quarantine() {
    return table(tables.quarantine());
  }

  public Path models() {
    return table(tables.models());
  }

  /** Scores are one table per model, so two models never share a partition. */
  public Path scores(String modelName) {
    return new Path(table(tables.scores()), modelName);
  }

  /** The delayed label feed: {@code dt=} the date the labels arrive, not the date they describe. */
  public Path labels() {
    return table(tables.labels());
  }

  /** One monitoring table per model, partitioned by the scored date it describes. */
  public Path monitoring(String modelName) {
    return new Path(table(tables.monitoring()), modelName);
  }

  /** The monitoring report of a model, rewritten by every monitor run. */
  public Path monitoringReport(String modelName) {
    return new Path(table(tables.reports()), "monitoring-" + modelName + ".html");
  }

  public Path runs() {
    return table(tables.runs());
  }

  /** A location as the config gives tables: a plain name under the root, anything else as it stands. */
  public Path location(String location) {
    return table(location);
  }

  private Path table(String location) {
    if (standsAlone(location)) {
      return resolve(location);
    }
    return new Path(root, location);
  }

  private static boolean standsAlone(String location) {
    return location.contains("://") || location.startsWith("/") || location.startsWith("./")
        || location.startsWith("../") || location.startsWith("file:");
  }

  /** A URI with a scheme is kept; a local path becomes an absolute {@code file:} URI. */
  static Path resolve(String location) {
    if (location.contains("://") || location.startsWith("file:")) {
      return new Path(location);
    }
    return new Path(new File(location).getAbsoluteFile().toURI());
  }
}
