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
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The aliases of one model ({@code champion}, {@code previous}): each a small file replaced
 * atomically, so readers see the old or the new version, never garbage; every change appended
 * to an audit history that is never rewritten.
 */
public final class AliasStore {
  public static final String CHAMPION = "champion";
  public static final String PREVIOUS = "previous";

  private static final DateTimeFormatter HISTORY_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'");

  private final Configuration conf;
  private final RegistryPaths paths;
  private final String name;
  private final VersionVerifier verifier;

  AliasStore(Configuration conf, RegistryPaths paths, String name, VersionVerifier verifier) {
    this.conf = conf;
    this.paths = paths;
    this.name = name;
    this.verifier = verifier;
  }

  /**
   * An alias file's content: the version, when it was set, the version it replaced, and the
   * SHA-256 of the version's manifest at promotion time.
   */
  public record Alias(String version, String updatedAt, String previousVersion, String manifestSha256) {}

  /**
   * One audit record: who moved which alias from what to what, and how; {@code runId} is the job
   * run that did it (null for a change made outside a job, as by {@code glmpipe models}, and in
   * records written before runs had ids).
   */
  public record AliasChange(String alias, String action, String version, String replacedVersion, String at, String by,
      String runId) {}

  public Optional<Alias> get(String alias) {
    Path path = paths.alias(alias);
    try {
      if (!path.getFileSystem(conf).exists(path)) {
        return Optional.empty();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + path, e);
    }
    return Optional.of(JsonFiles.read(conf, path, Alias.class));
  }

  /** The version {@code alias} points at, or null. */
  public String versionOf(String alias) {
    return get(alias).map(Alias::version).orElse(null);
  }

  /** The champion alias as it is now, or a clear error telling the user how to get one. */
  public Alias champion() {
    return get(CHAMPION).orElseThrow(() -> GlmpipeException.usage("model '" + name + "' has no champion yet (no "
        + paths.alias(CHAMPION) + "): run train, evaluate and export first"));
  }

  /**
   * Points {@code champion} at a verified {@code version}, keeping the old champion as
   * {@code previous}, and appends an audit record. Two promotes racing each other leave the
   * champion at one of the two (and {@code previous} at whatever the loser replaced).
   *
   * @return the audit record, or empty when {@code version} already was the champion
   */
  public Optional<AliasChange> promote(String version) {
    return promote(version, null);
  }

  /** As {@link #promote(String)}, audited as done by run {@code runId}. */
  public Optional<AliasChange> promote(String version, String runId) {
    return move(version, "promote", runId);
  }

  /**
   * Makes {@code previous} the champion again and the current champion {@code previous}: a
   * second rollback undoes the first. Audited like a promote.
   */
  public AliasChange rollback() {
    return rollback(null);
  }

  /** {@link #rollback()}, recording the id of the run that rolled back ({@code glmpipe models rollback --run-id}). */
  public AliasChange rollback(String runId) {
    Alias previous = get(PREVIOUS).orElseThrow(() -> GlmpipeException.usage(
        "model '" + name + "' has no previous champion to roll back to (no " + paths.alias(PREVIOUS) + ")"));
    verifier.require(verifier.verify(previous.version(), previous.manifestSha256(), PREVIOUS));
    return move(previous.version(), "rollback", runId).orElseThrow(() -> GlmpipeException.usage(
        "model '" + name + "': previous and champion are both " + previous.version() + ", nothing to roll back"));
  }

  private Optional<AliasChange> move(String version, String action, String runId) {
    VersionVerifier.Verification verified = verifier.require(version);
    String now = ZonedDateTime.now(ZoneOffset.UTC).toString();
    Optional<Alias> current = get(CHAMPION);
    if (current.isPresent() && current.get().version().equals(version)) {
      return Optional.empty();  // already champion: keep its rollback pointer as it is
    }
    if (current.isPresent()) {
      JsonFiles.replaceAtomically(conf, paths.alias(PREVIOUS),
          new Alias(current.get().version(), now, null, current.get().manifestSha256()));
    }
    String replaced = current.map(Alias::version).orElse(null);
    JsonFiles.replaceAtomically(conf, paths.alias(CHAMPION), new Alias(version, now, replaced, verified.manifestSha256()));
    AliasChange change = new AliasChange(CHAMPION, action, version, replaced, now, System.getProperty("user.name", "unknown"),
        runId);
    // A new file per change, never rewritten: the history cannot lose an entry to a race. Written
    // like an alias (hidden temp file, then renamed in), so no reader meets it half written.
    Path record = new Path(paths.history(), HISTORY_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)) + "-"
        + UUID.randomUUID().toString().substring(0, 8) + "-" + CHAMPION + ".json");
    JsonFiles.replaceAtomically(conf, record, change);
    return Optional.of(change);
  }

  /** Every alias change, oldest first. */
  public List<AliasChange> history() {
    Path dir = paths.history();
    try {
      FileSystem fs = dir.getFileSystem(conf);
      if (!fs.exists(dir)) {
        return List.of();
      }
      List<Path> files = new ArrayList<>();
      for (FileStatus st : fs.listStatus(dir)) {
        if (st.isFile() && st.getPath().getName().endsWith(".json") && !st.getPath().getName().startsWith(".")) {
          files.add(st.getPath());
        }
      }
      files.sort(Comparator.comparing(Path::getName));
      return files.stream().map(p -> JsonFiles.read(conf, p, AliasChange.class)).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }
}
