package dev.glmpipe.io;

import dev.glmpipe.GlmpipeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run's claim on some dates of a partitioned table, so that two runs never rewrite the same
 * partition at once: one small file per date, {@code <table>/_locks/dt=<dt>.json} (invisible to
 * partition discovery), naming the run, host and process that holds it. A second run that finds
 * a date claimed stops before writing anything, with one line naming the holder.
 *
 * <p>A claim is created only if none exists: a hard link on a local disk and a rename that never
 * overwrites on HDFS (both atomic), a create that refuses to overwrite on object stores (best
 * effort there: do not start two writers of a date on purpose). The holder rewrites it every
 * {@code stale-after/5} seconds (its heartbeat) and deletes it when done. A claim left by a run
 * that died is taken over: at once when its process is gone from this host, otherwise once its
 * heartbeat is older than {@value #STALE_AFTER_KEY} (default {@value #DEFAULT_STALE_AFTER_SECONDS}
 * s). Before each publish the holder checks the claim is still its own.
 */
public final class PartitionLock implements AutoCloseable {
  /** Hadoop config key: seconds without a heartbeat after which a claim is a dead run's. */
  public static final String STALE_AFTER_KEY = "glmpipe.lock.stale-after-seconds";
  public static final long DEFAULT_STALE_AFTER_SECONDS = 300;
  public static final String DIR = "_locks";

  private static final Logger LOG = LoggerFactory.getLogger(PartitionLock.class);
  private static final ScheduledExecutorService HEARTBEATS = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "glmpipe-lock-heartbeat");
    t.setDaemon(true);
    return t;
  });

  /** What a claim file holds. {@code token} tells this claim from any later one of the same date. */
  public record Owner(String job, String runId, String host, long pid, String acquiredAt, String heartbeatAt,
      String token) {}

  private final Configuration conf;
  private final Path table;
  private final List<LocalDate> dates;
  private final Owner owner;
  private final ScheduledFuture<?> heartbeat;

  private PartitionLock(Configuration conf, Path table, List<LocalDate> dates, Owner owner, long staleAfterMs) {
    this.conf = conf;
    this.table = table;
    this.dates = List.copyOf(dates);
    this.owner = owner;
    long every = Math.max(1000, staleAfterMs / 5);
    this.heartbeat = dates.isEmpty() ? null : HEARTBEATS.scheduleAtFixedRate(this::beat, every, every, TimeUnit.MILLISECONDS);
  }

  /**
   * Claims {@code dates} of the table at {@code table} for run {@code runId} of {@code job}, all or
   * none: a date another live run holds releases those already claimed and stops the run
   * ({@link GlmpipeException#EXIT_FAILURE}, one line naming the holder).
   */
  public static PartitionLock acquire(Configuration conf, Path table, List<LocalDate> dates, String job, String runId) {
    String now = Instant.now().toString();
    Owner owner = new Owner(job, runId, host(), ProcessHandle.current().pid(), now, now, UUID.randomUUID().toString());
    long staleAfterMs = TimeUnit.SECONDS.toMillis(conf.getLong(STALE_AFTER_KEY, DEFAULT_STALE_AFTER_SECONDS));
    List<LocalDate> held = new ArrayList<>();
    try {
      for (LocalDate dt : dates.stream().distinct().sorted().toList()) {
        Owner holder = claim(conf, file(table, dt), owner, staleAfterMs);
        if (holder != null) {
          throw new GlmpipeException(GlmpipeException.EXIT_FAILURE, "another " + holder.job() + " run is writing dt=" + dt
              + " of " + table + " (run " + holder.runId() + ", pid " + holder.pid() + " on " + holder.host() + ", since "
              + holder.acquiredAt() + "); this run wrote nothing; rerun it once that one has finished (its claim "
              + file(table, dt) + " is taken over once its process is gone, or after " + staleAfterMs / 1000
              + " s without a heartbeat)");
        }
        held.add(dt);
      }
    } catch (RuntimeException e) {
      for (LocalDate dt : held) {
        release(conf, file(table, dt), owner);
      }
      throw e;
    }
    return new PartitionLock(conf, table, held, owner, staleAfterMs);
  }

  /** The claim file of one date. */
  public static Path file(Path table, LocalDate dt) {
    return new Path(new Path(table, DIR), PartitionedTable.DT + "=" + dt + ".json");
  }

  /**
   * Fails (exit 1) unless this run still holds {@code dt}: called right before a publish, so a
   * run whose claim was taken over as dead (no heartbeat for too long) publishes nothing.
   */
  public void requireHeld(LocalDate dt) {
    Owner now = read(conf, file(table, dt));
    if (now == null || !owner.token().equals(now.token())) {
      throw new GlmpipeException(GlmpipeException.EXIT_FAILURE, "this run lost its claim on dt=" + dt + " of " + table
          + (now == null ? "" : " to run " + now.runId() + " (pid " + now.pid() + " on " + now.host() + ")")
          + ", taken over after a missed heartbeat; nothing was published for dt=" + dt + "; rerun it");
    }
  }

  @Override
  public void close() {
    if (heartbeat != null) {
      heartbeat.cancel(false);
    }
    for (LocalDate dt : dates) {
      release(conf, file(table, dt), owner);
    }
  }

  private void beat() {
    String at = Instant.now().toString();
    for (LocalDate dt : dates) {
      Path path = file(table, dt);
      try {
        Owner now = read(conf, path);
        if (now != null && owner.token().equals(now.token())) {
          JsonFiles.replaceAtomically(conf, path, new Owner(owner.job(), owner.runId(), owner.host(), owner.pid(),
              owner.acquiredAt(), at, owner.token()));
        }
      } catch (RuntimeException e) {
        LOG.warn("could not renew the claim {}: {}", path, e.toString());
      }
    }
  }

  /** Null once {@code owner} holds {@code path}; the live holder otherwise. */
  private static Owner claim(Configuration conf, Path path, Owner owner, long staleAfterMs) {
    byte[] bytes = JsonFiles.toJson(owner).getBytes(StandardCharsets.UTF_8);
    for (int attempt = 0; attempt < 5; attempt++) {
      if (createExclusive(conf, path, bytes)) {
        return null;
      }
      Owner holder = read(conf, path);
      if (holder != null && owner.token().equals(holder.token())) {
        return null;
      }
      if (!isStale(conf, path, holder, staleAfterMs)) {
        return holder != null ? holder
            : new Owner("unknown", "unknown", "unknown", -1, "unknown", null, null);  // being written this instant
      }
      LOG.warn("taking over the claim {} of a run that is gone: {}", path, holder);
      breakStale(conf, path, holder);
    }
    throw new GlmpipeException(GlmpipeException.EXIT_FAILURE, "could not claim " + path + " (other runs keep claiming it)");
  }

  /** A dead holder's claim: its process is gone from this host, or its heartbeat is too old. */
  private static boolean isStale(Configuration conf, Path path, Owner holder, long staleAfterMs) {
    if (holder != null && holder.host().equals(host()) && holder.pid() != ProcessHandle.current().pid()
        && !ProcessHandle.of(holder.pid()).map(ProcessHandle::isAlive).orElse(false)) {
      return true;
    }
    long last;
    try {
      FileSystem fs = path.getFileSystem(conf);
      last = fs.getFileStatus(path).getModificationTime();
    } catch (java.io.FileNotFoundException e) {
      return true;  // released meanwhile: try again
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + path, e);
    }
    if (holder != null && holder.heartbeatAt() != null) {
      last = Math.max(last, Instant.parse(holder.heartbeatAt()).toEpochMilli());
    }
    return System.currentTimeMillis() - last > staleAfterMs;
  }

  /**
   * Moves a dead run's claim aside (where rename is atomic only one run succeeds); one that turns
   * out to be another run's fresh claim is put back.
   */
  private static void breakStale(Configuration conf, Path path, Owner judged) {
    try {
      FileSystem fs = StoreSemantics.raw(path.getFileSystem(conf));
      Path aside = new Path(path.getParent(), "." + path.getName() + "." + UUID.randomUUID() + ".stale");
      boolean moved;
      try {
        moved = fs.rename(path, aside);
      } catch (IOException e) {
        moved = false;  // another run moved it first
      }
      if (!moved) {
        return;
      }
      Owner was = read(conf, aside);
      String judgedToken = judged == null ? null : judged.token();
      if (was != null && judgedToken != null && !judgedToken.equals(was.token())) {
        byte[] bytes = JsonFiles.toJson(was).getBytes(StandardCharsets.UTF_8);
        createExclusive(conf, path, bytes);  // a fresh claim moved by mistake: back, unless another came meanwhile
      }
      fs.delete(aside, false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot take over " + path, e);
    }
  }

  /** Writes {@code path} whole if it does not exist; false if it does. */
  private static boolean createExclusive(Configuration conf, Path path, byte[] bytes) {
    try {
      FileSystem fs = path.getFileSystem(conf);
      FileSystem raw = StoreSemantics.raw(fs);
      if (!StoreSemantics.renameIsAtomic(fs, conf)) {
        // Object stores: one PUT, visible whole; the existence check and the PUT are two steps.
        try (OutputStream out = fs.create(path, false)) {
          out.write(bytes);
        } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
          return false;
        }
        return true;
      }
      raw.mkdirs(path.getParent());
      Path tmp = new Path(path.getParent(), "." + path.getName() + "." + UUID.randomUUID() + ".tmp");
      try {
        try (OutputStream out = raw.create(tmp, false)) {
          out.write(bytes);
        }
        if (raw instanceof RawLocalFileSystem local) {
          // link(2) fails if the name exists: whole content, created at most once.
          Files.createLink(local.pathToFile(path).toPath(), local.pathToFile(tmp).toPath());
        } else {
          FileContext.getFileContext(path.toUri(), conf).rename(tmp, path, Options.Rename.NONE);
        }
        return true;
      } catch (FileAlreadyExistsException | org.apache.hadoop.fs.FileAlreadyExistsException e) {
        return false;
      } finally {
        raw.delete(tmp, false);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + path, e);
    }
  }

  /** The claim at {@code path}, or null when there is none (or it cannot be read yet). */
  private static Owner read(Configuration conf, Path path) {
    try {
      FileSystem fs = StoreSemantics.raw(path.getFileSystem(conf));
      try (InputStream in = fs.open(path)) {
        return JsonFiles.MAPPER.readValue(in, Owner.class);
      }
    } catch (java.io.FileNotFoundException e) {
      return null;
    } catch (IOException e) {
      return null;  // being written (object stores) or damaged: judged by its age
    }
  }

  private static void release(Configuration conf, Path path, Owner owner) {
    Owner now = read(conf, path);
    if (now == null || !owner.token().equals(now.token())) {
      return;  // taken over: not ours to delete
    }
    try {
      StoreSemantics.raw(path.getFileSystem(conf)).delete(path, false);
    } catch (IOException e) {
      LOG.warn("could not release the claim {}: {}", path, e.toString());
    }
  }

  private static volatile String host;

  private static String host() {
    if (host == null) {
      String name;
      try {
        name = java.net.InetAddress.getLocalHost().getHostName();
      } catch (IOException e) {
        name = System.getenv().getOrDefault("HOSTNAME", "unknown");
      }
      host = name;
    }
    return host;
  }
}
