package dev.glmpipe.score;

import static org.apache.spark.sql.functions.lit;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.io.DatedTable;
import dev.glmpipe.io.PartitionedTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A Parquet scores table as glmpipe's own readers (monitor) see it: a date is what its newest
 * ledger record names — its run directory when it was published through the catalog
 * ({@code score --table}), else {@code dt=<dt>} as the rename swap left it (also for dates
 * scored before the ledger recorded locations). The ledger is written after the catalog moved,
 * so a run killed in between leaves the previous run's directory named, still whole (replaced
 * directories outlive their replacement by a grace period).
 */
final class ScoresDirectory implements DatedTable {
  private final SparkSession spark;
  private final PartitionedTable dirs;
  private final ScoringLedger ledger;

  ScoresDirectory(SparkSession spark, Path root) {
    this.spark = spark;
    this.dirs = new PartitionedTable(spark, root);
    this.ledger = new ScoringLedger(spark.sparkContext().hadoopConfiguration(), root);
  }

  /** The run directory the ledger names for {@code dt}, when it names one. */
  private Optional<Path> published(LocalDate dt) {
    return ledger.latest(dt).map(ScoringLedger.Entry::location).map(Path::new);
  }

  private Path success(LocalDate dt) {
    return new Path(published(dt).orElse(dirs.partition(dt)), "_SUCCESS");
  }

  @Override
  public boolean isCommitted(LocalDate dt) {
    return status(success(dt)) != null;
  }

  @Override
  public List<LocalDate> committedDates() {
    TreeSet<LocalDate> dates = new TreeSet<>(dirs.committedDates());
    Path root = new Path(dirs.root(), "_ledger");
    try {
      FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (fs.exists(root)) {
        for (FileStatus st : fs.listStatus(root)) {
          String name = st.getPath().getName();
          if (name.startsWith("dt=")) {
            LocalDate dt = LocalDate.parse(name.substring(3));
            if (published(dt).isPresent() && isCommitted(dt)) {
              dates.add(dt);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root, e);
    }
    return List.copyOf(dates);
  }

  @Override
  public long committedAt(LocalDate dt) {
    FileStatus st = status(success(dt));
    return st == null ? -1 : st.getModificationTime();
  }

  @Override
  public void requireCommitted(List<LocalDate> dates) {
    List<String> missing = dates.stream().filter(dt -> !isCommitted(dt)).map(LocalDate::toString).toList();
    if (!missing.isEmpty()) {
      throw GlmpipeException.dataContract("scores of " + String.join(", ", missing) + " not found under " + dirs.root());
    }
  }

  @Override
  public Dataset<Row> read(List<LocalDate> dates) {
    requireCommitted(dates);
    Dataset<Row> out = null;
    for (LocalDate dt : dates) {
      Optional<Path> run = published(dt);
      Dataset<Row> day = run.isPresent()
          ? spark.read().parquet(run.get().toString()).withColumn(PartitionedTable.DT, lit(Date.valueOf(dt)))
          : dirs.read(List.of(dt));
      out = out == null ? day : out.unionByName(day, true);
    }
    return out;
  }

  @Override
  public String snapshot(LocalDate dt) {
    Optional<Path> run = published(dt);
    return run.isPresent() ? run.get().toString() : dirs.snapshot(dt);
  }

  private FileStatus status(Path path) {
    try {
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      return fs.exists(path) ? fs.getFileStatus(path) : null;
    } catch (java.io.FileNotFoundException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + path, e);
    }
  }
}
