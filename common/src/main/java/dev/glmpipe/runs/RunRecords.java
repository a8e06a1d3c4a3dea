package dev.glmpipe.runs;

import dev.glmpipe.io.JsonFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The {@code runs} table: one JSON file per run at
 * {@code runs/dt=<UTC date the run started>/job=<job>/<run file>.json}, readable by DuckDB
 * ({@code read_json(..., hive_partitioning = true)}) and by {@code glmpipe runs} without Spark.
 *
 * <p>Exactly one record per run id: the file name is derived from the run id alone, written
 * whole (rename or one PUT), and a run id seen again (a rerun under the same id) replaces its
 * earlier record, in whichever date partition it was.
 */
public final class RunRecords {
  private final Configuration hadoop;
  private final Path table;

  public RunRecords(Configuration hadoop, Path table) {
    this.hadoop = hadoop;
    this.table = table;
  }

  public Path table() {
    return table;
  }

  /** Writes {@code record}, replacing any earlier record of its run id; returns where it is. */
  public Path write(RunRecord record) {
    LocalDate dt = OffsetDateTime.parse(record.startedAt()).toLocalDate();
    Path path = new Path(new Path(new Path(table, "dt=" + dt), "job=" + record.job()), fileName(record.runId()));
    try {
      FileSystem fs = table.getFileSystem(hadoop);
      for (Path earlier : find(record.runId())) {
        if (!earlier.equals(fs.makeQualified(path))) {
          fs.delete(earlier, false);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot look for earlier records of run " + record.runId() + " in " + table, e);
    }
    JsonFiles.replaceAtomically(hadoop, path, record);
    return path;
  }

  /** The record of {@code runId}, or null. */
  public RunRecord get(String runId) {
    try {
      List<Path> found = find(runId);
      return found.isEmpty() ? null : JsonFiles.read(hadoop, found.get(0), RunRecord.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + table, e);
    }
  }

  /** Every record started on {@code from..to} (UTC dates), of {@code job} if not null, newest first. */
  public List<RunRecord> list(LocalDate from, LocalDate to, String job) {
    List<RunRecord> out = new ArrayList<>();
    try {
      FileSystem fs = table.getFileSystem(hadoop);
      if (!fs.exists(table)) {
        return out;
      }
      for (FileStatus day : fs.listStatus(table)) {
        String name = day.getPath().getName();
        if (!day.isDirectory() || !name.startsWith("dt=")) {
          continue;
        }
        LocalDate dt = parseDate(name.substring(3));
        if (dt == null || dt.isBefore(from) || dt.isAfter(to)) {
          continue;
        }
        for (FileStatus jobDir : fs.listStatus(day.getPath())) {
          if (jobDir.isDirectory() && (job == null || jobDir.getPath().getName().equals("job=" + job))) {
            for (FileStatus f : fs.listStatus(jobDir.getPath())) {
              if (f.isFile() && f.getPath().getName().endsWith(".json")) {
                out.add(JsonFiles.read(hadoop, f.getPath(), RunRecord.class));
              }
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + table, e);
    }
    out.sort(Comparator.comparing(RunRecord::startedAt).reversed());
    return out;
  }

  private List<Path> find(String runId) throws IOException {
    FileStatus[] found = table.getFileSystem(hadoop).globStatus(new Path(table, "dt=*/job=*/" + fileName(runId)));
    List<Path> out = new ArrayList<>();
    if (found != null) {
      for (FileStatus f : found) {
        out.add(f.getPath());
      }
    }
    return out;
  }

  /**
   * Run ids may hold {@code :} and {@code +} (Airflow's do), which Hadoop paths and object-store
   * URLs treat specially: the name keeps the id's safe characters for people and adds a hash of
   * the whole id, so two ids never share a file.
   */
  static String fileName(String runId) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(runId.getBytes(StandardCharsets.UTF_8));
      String safe = runId.replaceAll("[^A-Za-z0-9._=-]", "_");
      return safe + "-" + HexFormat.of().formatHex(digest, 0, 4).toLowerCase(Locale.ROOT) + ".json";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static LocalDate parseDate(String s) {
    try {
      return LocalDate.parse(s);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }
}
