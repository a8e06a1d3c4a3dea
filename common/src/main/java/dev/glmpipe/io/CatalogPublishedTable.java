package dev.glmpipe.io;

import dev.glmpipe.Sql;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Parquet table whose dates are published through the catalog (a Hive metastore, or Glue):
 * each run writes a date to a directory of its own, {@code dt=<dt>/run=<run>-<id>/}, then points
 * the catalog's partition at it ({@code ALTER TABLE … PARTITION … SET LOCATION}, one metastore
 * call), so catalog readers go from the old directory to the new one at once on any store. The
 * directories a date no longer points at stay readable for a grace period (a query planned just
 * before the switch still reads them), then are removed.
 */
public final class CatalogPublishedTable {
  private static final Logger LOG = LoggerFactory.getLogger(CatalogPublishedTable.class);
  static final String RUN_PREFIX = "run=";
  private static final String SUCCESS = "_SUCCESS";

  private final SparkSession spark;
  private final PartitionedTable dirs;
  private final String table;

  /** {@code table}: {@code db.name} or {@code name} in the session catalog. */
  public CatalogPublishedTable(SparkSession spark, PartitionedTable dirs, String table) {
    this.spark = spark;
    this.dirs = dirs;
    this.table = table;
  }

  /** A new directory for one run's write of {@code dt}; nobody reads it before it is published. */
  public Path runPath(LocalDate dt, String runId) {
    String safe = runId == null ? "run" : runId.replaceAll("[^A-Za-z0-9_.-]", "_");
    if (safe.length() > 60) {
      safe = safe.substring(0, 60);
    }
    return new Path(dirs.partition(dt), RUN_PREFIX + safe + "-" + UUID.randomUUID().toString().substring(0, 8));
  }

  /**
   * Creates the table (Parquet, partitioned by {@code dt}, over the table's root) if needed and
   * points the date's partition at {@code runDir}: added if new, else moved in one call.
   */
  public void publish(Path runDir, LocalDate dt, StructType schema) {
    String[] parts = table.split("\\.");
    if (parts.length == 2) {
      spark.sql("CREATE DATABASE IF NOT EXISTS " + Sql.quote(parts[0]));
    }
    spark.sql("CREATE TABLE IF NOT EXISTS " + quoted() + " (" + schema.toDDL() + ", " + Sql.quote(PartitionedTable.DT)
        + " STRING) USING parquet PARTITIONED BY (" + Sql.quote(PartitionedTable.DT) + ") LOCATION "
        + Sql.string(dirs.root().toString()));
    String spec = " PARTITION (" + Sql.quote(PartitionedTable.DT) + " = " + Sql.string(dt.toString()) + ")";
    if (location(dt).isEmpty()) {
      spark.sql("ALTER TABLE " + quoted() + " ADD IF NOT EXISTS" + spec + " LOCATION " + Sql.string(runDir.toString()));
    }
    spark.sql("ALTER TABLE " + quoted() + spec + " SET LOCATION " + Sql.string(runDir.toString()));
    spark.sql("REFRESH TABLE " + quoted());
  }

  /** Where the catalog's partition of {@code dt} points, if it has one. */
  public Optional<String> location(LocalDate dt) {
    if (!spark.catalog().tableExists(table)) {
      return Optional.empty();
    }
    try {
      for (Row r : spark.sql("DESCRIBE TABLE EXTENDED " + quoted() + " PARTITION (" + Sql.quote(PartitionedTable.DT) + " = "
          + Sql.string(dt.toString()) + ")").collectAsList()) {
        if ("Location".equals(r.getString(0))) {
          return Optional.of(r.getString(1));
        }
      }
      return Optional.empty();
    } catch (Exception e) {  // Scala's AnalysisException is checked in Java, and undeclared
      if (e instanceof org.apache.spark.sql.AnalysisException) {
        return Optional.empty();  // no such partition
      }
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }
  }

  /** How many partitions the catalog lists. */
  public long partitions() {
    return spark.sql("SHOW PARTITIONS " + quoted()).count();
  }

  /**
   * Deletes what {@code dt}'s directory holds besides {@code keep}: run directories replaced more
   * than {@code grace} ago (replaced when the next newer one was written), directories of runs
   * that never published (no {@code _SUCCESS}) older than {@code grace}, and the files of a date
   * written in place before (by the rename swap), once replaced as long ago.
   */
  public List<Path> removeReplaced(LocalDate dt, List<Path> keep, Duration grace, long nowMillis) {
    Path dir = dirs.partition(dt);
    List<Path> removed = new ArrayList<>();
    try {
      FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(dir)) {
        return removed;
      }
      List<String> kept = keep.stream().map(p -> fs.makeQualified(p).toString()).toList();
      List<Written> written = new ArrayList<>();
      List<FileStatus> loose = new ArrayList<>();
      for (FileStatus st : fs.listStatus(dir)) {
        if (st.isDirectory() && st.getPath().getName().startsWith(RUN_PREFIX)) {
          written.add(written(fs, st.getPath()));
        } else if (st.isFile()) {
          loose.add(st);
        }
      }
      if (!loose.isEmpty()) {
        long at = loose.stream().filter(f -> f.getPath().getName().equals(SUCCESS)).mapToLong(FileStatus::getModificationTime)
            .findFirst().orElse(-1);
        written.add(new Written(dir, at, loose.stream().mapToLong(FileStatus::getModificationTime).max().orElse(0)));
      }
      List<Written> complete = written.stream().filter(w -> w.committedAt() >= 0)
          .sorted(Comparator.comparingLong(Written::committedAt)).toList();
      long cutoff = nowMillis - grace.toMillis();
      for (Written w : written) {
        if (kept.contains(fs.makeQualified(w.path()).toString())) {
          continue;
        }
        long replacedAt;
        if (w.committedAt() < 0) {
          replacedAt = w.newestFile();  // never published: nobody read it
        } else {
          int i = complete.indexOf(w);
          replacedAt = i + 1 < complete.size() ? complete.get(i + 1).committedAt() : Long.MAX_VALUE;
        }
        if (replacedAt <= cutoff) {
          if (w.path().equals(dir)) {
            for (FileStatus f : loose) {
              fs.delete(f.getPath(), false);
            }
          } else {
            fs.delete(w.path(), true);
          }
          removed.add(w.path());
        }
      }
      if (!removed.isEmpty()) {
        LOG.info("dt={}: removed {} replaced director{} ({})", dt, removed.size(), removed.size() == 1 ? "y" : "ies",
            removed.stream().map(Path::getName).collect(Collectors.joining(", ")));
      }
      return removed;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot tidy " + dir, e);
    }
  }

  /** A directory a run wrote: when it was committed ({@code _SUCCESS}, or -1) and its newest file. */
  private record Written(Path path, long committedAt, long newestFile) {}

  private static Written written(FileSystem fs, Path dir) throws IOException {
    long committed = -1;
    long newest = 0;
    for (FileStatus f : fs.listStatus(dir)) {
      newest = Math.max(newest, f.getModificationTime());
      if (f.getPath().getName().equals(SUCCESS)) {
        committed = f.getModificationTime();
      }
    }
    return new Written(dir, committed, newest);
  }

  private String quoted() {
    return Arrays.stream(table.split("\\.")).map(Sql::quote).collect(Collectors.joining("."));
  }
}
