package dev.glmpipe.score;

import dev.glmpipe.io.JsonFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Which model version scored which input partition, and when: one small JSON record per
 * (dt, version) under {@code <scores table>/_ledger/dt=<dt>/<version>.json}, written after the
 * partition was published. ({@code _}-prefixed directories are invisible to Spark's partition
 * discovery and to a glob of one directory level.) {@code score --new} reads it instead of guessing
 * from listings: a partition is done when the ledger says so.
 */
public final class ScoringLedger {
  /**
   * @param inputCommittedAt the input partition's commit time when it was scored, so a
   *     partition preprocessed again later counts as new
   * @param runId the run that scored it; null in records written before runs had ids
   * @param location the run's own directory when the date was published through the catalog
   *     ({@code score --table} on Parquet); null when it was swapped into {@code dt=<dt>} or
   *     committed to an Iceberg table
   */
  public record Entry(String dt, String modelVersion, long rows, String scoredAt, long inputCommittedAt, String engine,
      String runId, String location) {
    public Entry(String dt, String modelVersion, long rows, String scoredAt, long inputCommittedAt, String engine,
        String runId) {
      this(dt, modelVersion, rows, scoredAt, inputCommittedAt, engine, runId, null);
    }
  }

  private final Configuration conf;
  private final Path root;

  public ScoringLedger(Configuration conf, Path scoresTable) {
    this.conf = conf;
    this.root = new Path(scoresTable, "_ledger");
  }

  public void record(Entry entry) {
    JsonFiles.replaceAtomically(conf, new Path(new Path(root, "dt=" + entry.dt()), entry.modelVersion() + ".json"), entry);
  }

  /** Every record of {@code dt}, oldest scoring first. */
  public List<Entry> entries(LocalDate dt) {
    Path dir = new Path(root, "dt=" + dt);
    try {
      FileSystem fs = dir.getFileSystem(conf);
      if (!fs.exists(dir)) {
        return List.of();
      }
      List<Entry> out = new ArrayList<>();
      for (FileStatus st : fs.listStatus(dir)) {
        if (st.getPath().getName().endsWith(".json") && !st.getPath().getName().startsWith(".")) {
          out.add(JsonFiles.read(conf, st.getPath(), Entry.class));
        }
      }
      out.sort(Comparator.comparing(Entry::scoredAt));
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  /** The record of the run whose rows the partition holds now. */
  public Optional<Entry> latest(LocalDate dt) {
    List<Entry> all = entries(dt);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /**
   * Whether {@code dt} needs scoring: never scored, or its input was committed again after it
   * was scored, or ({@code rescore}) its rows come from a version other than {@code version}.
   */
  public boolean needsScoring(LocalDate dt, String version, long inputCommittedAt, boolean rescore) {
    Optional<Entry> last = latest(dt);
    if (last.isEmpty() || inputCommittedAt > last.get().inputCommittedAt()) {
      return true;
    }
    return rescore && !last.get().modelVersion().equals(version);
  }
}
