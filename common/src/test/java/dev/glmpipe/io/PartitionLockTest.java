package dev.glmpipe.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glmpipe.GlmpipeException;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Claims on a table's dates: one holder at a time, released when done, a dead holder's taken over. */
class PartitionLockTest {
  private static final LocalDate D1 = LocalDate.parse("2026-11-01");
  private static final LocalDate D2 = LocalDate.parse("2026-11-02");

  @TempDir java.nio.file.Path dir;

  private final Configuration conf = new Configuration();

  private Path table() {
    return new Path(dir.toUri());
  }

  @Test
  void aSecondClaimOfADateStopsWithOneLineAndTakesNothing() {
    try (PartitionLock first = PartitionLock.acquire(conf, table(), List.of(D2), "score", "run-1")) {
      assertThatThrownBy(() -> PartitionLock.acquire(conf, table(), List.of(D1, D2), "score", "run-2"))
          .isInstanceOf(GlmpipeException.class)
          .hasMessageStartingWith("another score run is writing dt=2026-11-02 of ")
          .hasMessageContaining("(run run-1, pid " + ProcessHandle.current().pid())
          .satisfies(e -> assertThat(((GlmpipeException) e).exitCode()).isEqualTo(GlmpipeException.EXIT_FAILURE))
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
      // All or none: the date it did get first was given back.
      assertThat(dir.resolve("_locks/dt=2026-11-01.json")).doesNotExist();
      first.requireHeld(D2);
    }
    assertThat(dir.resolve("_locks/dt=2026-11-02.json")).doesNotExist();
    PartitionLock.acquire(conf, table(), List.of(D1, D2), "score", "run-3").close();
  }

  @Test
  void aClaimWhoseProcessIsGoneIsTakenOverAndItsHolderPublishesNothing() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    PartitionLock old = PartitionLock.acquire(conf, table(), List.of(D1), "score", "killed");
    java.nio.file.Path file = dir.resolve("_locks/dt=2026-11-01.json");
    PartitionLock.Owner owner = JsonFiles.MAPPER.readValue(file.toFile(), PartitionLock.Owner.class);
    // The same claim, as a process of this host that has ended would have left it.
    Files.writeString(file, JsonFiles.toJson(new PartitionLock.Owner("score", "killed", owner.host(), gone.pid(),
        owner.acquiredAt(), owner.heartbeatAt(), owner.token() + "-dead")));
    try (PartitionLock next = PartitionLock.acquire(conf, table(), List.of(D1), "score", "rerun")) {
      next.requireHeld(D1);
      assertThatThrownBy(() -> old.requireHeld(D1)).isInstanceOf(GlmpipeException.class)
          .hasMessageStartingWith("this run lost its claim on dt=2026-11-01").hasMessageContaining("to run rerun");
      old.close();  // not its claim any more: left alone
      next.requireHeld(D1);
    }
  }

  @Test
  void aClaimWithoutHeartbeatForTooLongIsTakenOver() throws Exception {
    conf.setLong(PartitionLock.STALE_AFTER_KEY, 60);
    java.nio.file.Path file = dir.resolve("_locks/dt=2026-11-01.json");
    Files.createDirectories(file.getParent());
    String old = Instant.now().minusSeconds(120).toString();
    Files.writeString(file, JsonFiles.toJson(new PartitionLock.Owner("score", "elsewhere", "another-host", 1, old, old, "t")));
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(120)));
    PartitionLock.acquire(conf, table(), List.of(D1), "score", "next").close();

    // A fresh one on another host is respected.
    String now = Instant.now().toString();
    Files.writeString(file, JsonFiles.toJson(new PartitionLock.Owner("score", "elsewhere", "another-host", 1, now, now, "t")));
    assertThatThrownBy(() -> PartitionLock.acquire(conf, table(), List.of(D1), "score", "next"))
        .hasMessageContaining("(run elsewhere, pid 1 on another-host");
  }
}
