package dev.glmpipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glmpipe.io.JsonFiles;
import dev.glmpipe.io.PartitionLock;
import dev.glmpipe.monitor.MonitoringRow;
import dev.glmpipe.registry.AliasStore;
import dev.glmpipe.registry.ModelRegistry;
import dev.glmpipe.score.ScoringLedger;
import dev.glmpipe.testing.SharedSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs run at the same time, each in a JVM of its own (its own Spark) on one local storage root,
 * started together, while readers poll what they write:
 *
 * <ul>
 *   <li>two {@code score} runs of one date: the date's claim lets one write; the other stops
 *       before writing (exit 1, one line naming the holder), or runs after it. Either way the
 *       partition is always 0 or N rows with unique keys, and ends equal to a clean run's;
 *   <li>{@code score} while {@code export} promotes: the champion ends at the new version and
 *       score used one verified version for every row (the old or the new one);
 *   <li>{@code monitor} while {@code score} rewrites the date: monitor's rows describe one whole
 *       scores partition (it reads again when the partition was replaced under it), or it stops
 *       with one line;
 *   <li>two {@code train} runs: two distinct, complete, verified versions.
 * </ul>
 *
 * Every alias, and every visible version, verifies against its manifest throughout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConcurrencyIT {
  private static final String D1 = "2026-11-01";
  private static final String D2 = "2026-11-02";
  private static final String D3 = "2026-11-03";
  private static final List<String> SETTINGS = List.of("datagen.rows_per_day=1000");
  /**
   * Rounds of each pair (two of the score pair, whose race matters most, unless set): each round
   * is two JVMs starting Spark, so more rounds are for soak runs, e.g.
   * {@code -Dconcurrency.rounds=5}.
   */
  private static final int ROUNDS = Integer.getInteger("concurrency.rounds", 1);

  @TempDir static Path root;

  private final SparkSession spark = SharedSpark.get();
  private JobRunner jobs;
  private ModelRegistry registry;
  private String v1;
  private String v2;
  /** The date's rows as a clean single run of each version scores them: key → score. */
  private final Map<String, Map<String, Double>> reference = new HashMap<>();
  private long rows;

  @BeforeAll
  void twoVersionsAndCleanScores() {
    jobs = new JobRunner(root, SETTINGS.toArray(String[]::new));
    jobs.ok("datagen", "--from", D1, "--to", D3);
    jobs.ok("preprocess", "--from", D1, "--to", D3);
    v1 = jobs.ok("train", "--from", D1, "--to", D2).get("version").asText();
    jobs.ok("evaluate");
    jobs.ok("export");
    v2 = jobs.ok("train", "--from", D2, "--to", D3).get("version").asText();
    jobs.ok("evaluate");
    // A clean run scores D3 with the champion (v1), and with v2 into the shadow table.
    rows = jobs.ok("score", "--dt", D3, "--shadow", v2).get("rows").asLong();
    assertThat(rows).isPositive();
    reference.put(v1, keyScores("scores/churn"));
    reference.put(v2, keyScores("scores/churn_shadow"));
    assertThat(reference.get(v1)).hasSize((int) rows).isNotEqualTo(reference.get(v2));
    registry = new ModelRegistry(hadoop(), new org.apache.hadoop.fs.Path(root.resolve("models").toUri()), "churn");
  }

  /**
   * Two scores of one date at once. The first to claim the date scores it; the other, if it
   * comes while the claim is held, exits 1 with one line naming the holder and writes nothing.
   */
  @Test
  @Order(1)
  void twoScoresOfOneDateLeaveOneWholePartition() throws Exception {
    for (int rep = 1; rep <= Math.max(2, ROUNDS); rep++) {
      PartitionReader reader = new PartitionReader(v1);
      List<Outcome> runs = together(List.of(reader, aliasesVerify()),
          new Child("score-a-" + rep, "score", "--dt", D3), new Child("score-b-" + rep, "score", "--dt", D3));
      reader.assertClean();
      List<String> winners = new ArrayList<>();
      for (Outcome o : runs) {
        if (o.exitCode() == 0) {
          winners.add(o.runId());
          assertThat(o.json().get("model_version").asText()).isEqualTo(v1);
          assertThat(o.json().get("rows").asLong()).isEqualTo(rows);
        } else {
          o.assertOneLineError(1, "glmpipe score: error: another score run is writing dt=" + D3);
          assertThat(o.json().get("status").asText()).isEqualTo("failed");
        }
      }
      assertThat(winners).as("at least one score run succeeds").isNotEmpty();
      assertScoresAreACleanRunsOf(v1, winners);
    }
  }

  /**
   * score while export promotes the next version: export succeeds and the champion ends at v2;
   * score succeeds with whichever version the alias named when it started, for every row.
   */
  @Test
  @Order(2)
  void scoreWhileExportPromotesUsesOneVerifiedVersion() throws Exception {
    for (int rep = 1; rep <= ROUNDS; rep++) {
      assertThat(registry.aliases().versionOf(AliasStore.CHAMPION)).isEqualTo(v1);
      PartitionReader reader = new PartitionReader(null);
      List<Outcome> runs = together(List.of(reader, aliasesVerify()),
          new Child("score-" + rep, "score", "--dt", D3), new Child("export-" + rep, "export", "--model-version", v2));
      reader.assertClean();
      Outcome score = runs.get(0);
      Outcome export = runs.get(1);
      export.assertOk();
      score.assertOk();
      assertThat(registry.aliases().versionOf(AliasStore.CHAMPION)).isEqualTo(v2);
      assertThat(registry.aliases().versionOf(AliasStore.PREVIOUS)).isEqualTo(v1);
      assertThat(registry.champion().requireVerified().id()).isEqualTo(v2);
      String used = score.json().get("model_version").asText();
      assertThat(used).isIn(v1, v2);
      assertScoresAreACleanRunsOf(used, List.of(score.runId()));
      // Back to v1 for the next round (and the tests after): previous is v1.
      JobRunner.Run rollback = jobs.sub("models", "rollback");
      assertThat(rollback.exitCode()).as(rollback.stderr()).isZero();
    }
  }

  /**
   * monitor while score rewrites the date it monitors: monitor reads one whole partition (again,
   * if the partition was replaced under it) and its rows say so: the version that scored it and
   * its N rows. Or it stops with one line and writes nothing for the date.
   */
  @Test
  @Order(3)
  void monitorWhileScoreRewritesItsDateDescribesOneWholePartition() throws Exception {
    Path monitoring = root.resolve("monitoring/churn/dt=" + D3);
    jobs.ok("score", "--dt", D3);  // the champion's (v1) rows, whichever version scored last before
    for (int rep = 1; rep <= ROUNDS; rep++) {
      PartitionReader reader = new PartitionReader(v1);
      List<Outcome> runs = together(List.of(reader),
          new Child("monitor-" + rep, "monitor", "--dt", D3), new Child("score-m-" + rep, "score", "--dt", D3));
      reader.assertClean();
      Outcome monitor = runs.get(0);
      runs.get(1).assertOk();
      assertScoresAreACleanRunsOf(v1, List.of(runs.get(1).runId()));
      if (monitor.exitCode() != 0) {
        monitor.assertOneLineError(1, "glmpipe monitor: error: the scores of dt=" + D3 + " were replaced while monitor read them");
        continue;
      }
      JsonNode date = monitor.json().get("dates").get(0);
      assertThat(date.get("versions")).extracting(JsonNode::asText).containsExactly(v1);
      List<Row> written = spark.read().schema(MonitoringRow.SCHEMA).parquet(monitoring.toUri().toString())
          .where(functions.col("run_id").equalTo(monitor.runId())).collectAsList();
      assertThat(written).isNotEmpty();
      for (Row r : written) {
        assertThat(r.getString(r.fieldIndex("model_version"))).isEqualTo(v1);
      }
      // What it read of the scores: every row of the partition, once.
      List<Row> ofScores = written.stream().filter(r -> {
        String kind = r.getString(r.fieldIndex("kind"));
        return kind.equals(MonitoringRow.SCORE_DRIFT) || kind.equals(MonitoringRow.ESTIMATED_PERFORMANCE);
      }).toList();
      assertThat(ofScores).isNotEmpty();
      for (Row r : ofScores) {
        assertThat(r.getLong(r.fieldIndex("rows"))).as(r.toString()).isEqualTo(rows);
      }
    }
  }

  /** Two trains at once: two distinct versions, each whole and verified; no draft left behind. */
  @Test
  @Order(4)
  void twoTrainsMakeTwoCompleteVersions() throws Exception {
    List<String> before = registry.versions().list();
    List<Outcome> runs = together(List.of(aliasesVerify()),
        new Child("train-a", "train", "--from", D1, "--to", D2), new Child("train-b", "train", "--from", D1, "--to", D2));
    runs.forEach(Outcome::assertOk);
    String a = runs.get(0).json().get("version").asText();
    String b = runs.get(1).json().get("version").asText();
    assertThat(a).isNotEqualTo(b);
    List<String> after = registry.versions().list();
    assertThat(after).containsAll(before).contains(a, b).hasSize(before.size() + 2);
    for (String v : List.of(a, b)) {
      assertThat(registry.version(v).verify().ok()).as(v).isTrue();
      assertThat(registry.version(v).manifest().version()).isEqualTo(v);
    }
    assertThat(registry.versions().incomplete()).isEmpty();
    assertThat(registry.aliases().versionOf(AliasStore.CHAMPION)).isEqualTo(v1);
  }

  // ---------------------------------------------------------------------------------------------

  /** The scores of D3 are exactly a clean run's of {@code version}; the ledger names one of {@code runIds}. */
  private void assertScoresAreACleanRunsOf(String version, List<String> runIds) throws IOException {
    Path partition = root.resolve("scores/churn/dt=" + D3);
    try (Stream<Path> files = Files.list(partition)) {
      assertThat(files.filter(Files::isDirectory).toList()).as("nothing nested in the partition").isEmpty();
    }
    List<Row> all = spark.read().parquet(partition.toUri().toString()).select("customer_id", "score", "model_version", "scored_at")
        .collectAsList();
    assertThat(all).hasSize((int) rows);
    assertThat(all.stream().map(r -> r.getString(2)).distinct().toList()).containsExactly(version);
    assertThat(all.stream().map(r -> r.get(3)).distinct().count()).as("one run's rows").isEqualTo(1);
    Map<String, Double> got = new HashMap<>();
    all.forEach(r -> got.put(String.valueOf(r.get(0)), r.getDouble(1)));
    Map<String, Double> expected = reference.get(version);
    assertThat(got.keySet()).isEqualTo(expected.keySet());
    for (Map.Entry<String, Double> e : expected.entrySet()) {
      assertThat(got.get(e.getKey())).as(e.getKey()).isCloseTo(e.getValue(), org.assertj.core.data.Offset.offset(1e-12));
    }
    ScoringLedger.Entry last = new ScoringLedger(hadoop(), new org.apache.hadoop.fs.Path(root.resolve("scores/churn").toUri()))
        .latest(LocalDate.parse(D3)).orElseThrow();
    assertThat(last.modelVersion()).isEqualTo(version);
    assertThat(last.rows()).isEqualTo(rows);
    assertThat(last.runId()).isIn(runIds);
    // Nothing left behind: no claim, no staged write, no partition set aside.
    assertThat(root.resolve("scores/churn/" + PartitionLock.DIR + "/dt=" + D3 + ".json")).doesNotExist();
    for (String dir : List.of("_staging", "_replaced")) {
      Path p = root.resolve("scores/churn/" + dir);
      if (Files.exists(p)) {
        try (Stream<Path> left = Files.list(p)) {
          assertThat(left.map(Path::getFileName).map(Path::toString).filter(n -> n.startsWith("dt=" + D3)).toList())
              .as(dir).isEmpty();
        }
      }
    }
  }

  private Map<String, Double> keyScores(String table) {
    Map<String, Double> out = new HashMap<>();
    for (Row r : spark.read().parquet(root.resolve(table + "/dt=" + D3).toUri().toString()).select("customer_id", "score")
        .collectAsList()) {
      out.put(String.valueOf(r.get(0)), r.getDouble(1));
    }
    return out;
  }

  private Configuration hadoop() {
    return spark.sparkContext().hadoopConfiguration();
  }

  /** One job in its own JVM, named for its output files and its run id. */
  private record Child(String name, String... args) {}

  /** How a child ended: its exit code, the last line of stdout (its result) and of stderr. */
  private record Outcome(String name, String runId, int exitCode, String stdoutLine, String stderrLine, String stderr) {
    JsonNode json() {
      try {
        return JsonFiles.MAPPER.readTree(stdoutLine);
      } catch (IOException e) {
        throw new AssertionError(name + ": the last line of stdout is not JSON: " + stdoutLine + "\n" + stderr, e);
      }
    }

    void assertOk() {
      assertThat(exitCode).as(name + " exit code; stderr ends:\n" + tail()).isZero();
    }

    /** A non-zero exit with one clear line last on stderr: the launcher's, no stack trace. */
    void assertOneLineError(int code, String startsWith) {
      assertThat(exitCode).as(name + " exit code; stderr ends:\n" + tail()).isEqualTo(code);
      assertThat(stderrLine).as(name).startsWith(startsWith).doesNotContain("\tat ").doesNotContain("Exception");
    }

    private String tail() {
      List<String> lines = stderr.lines().toList();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }
  }

  /**
   * Starts every child at once, runs {@code readers} until they have all ended, and returns how
   * each ended (in order). A reader's violation fails the test with what it saw.
   */
  private List<Outcome> together(List<Poller> readers, Child... children) throws Exception {
    List<Process> started = new ArrayList<>();
    for (Child c : children) {
      List<String> args = new ArrayList<>(List.of(c.args()));
      args.addAll(List.of("--run-id", c.name()));
      started.add(JobRunner.launchChild(root, c.name(), SETTINGS, args.toArray(String[]::new)));
    }
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    for (Poller p : readers) {
      Thread t = new Thread(() -> p.run(stop), "poll-" + p.name);
      t.start();
      threads.add(t);
    }
    try {
      for (Process p : started) {
        assertThat(p.waitFor(240, TimeUnit.SECONDS)).as("a child ends within 4 minutes").isTrue();
      }
    } finally {
      stop.set(true);
      started.forEach(Process::destroyForcibly);
      for (Thread t : threads) {
        t.join();
      }
    }
    for (Poller p : readers) {
      assertThat(p.violation.get()).as(p.name).isNull();
      assertThat(p.polls.get()).as(p.name + " polls").isPositive();
    }
    List<Outcome> out = new ArrayList<>();
    for (int i = 0; i < children.length; i++) {
      String name = children[i].name();
      String stdout = Files.readString(root.resolve(name + ".out")).trim();
      String stderr = Files.readString(root.resolve(name + ".err")).trim();
      out.add(new Outcome(name, name, started.get(i).exitValue(), lastLine(stdout), lastLine(stderr), stderr));
    }
    // Which way the race went this round, for whoever reads the test's output.
    System.out.println("ConcurrencyIT: " + String.join(", ", out.stream()
        .map(o -> o.name() + " exit " + o.exitCode() + (o.exitCode() == 0 ? "" : " (" + o.stderrLine() + ")")).toList())
        + "; polls " + String.join(", ", readers.stream().map(p -> p.name + " " + p.polls.get()).toList()));
    return out;
  }

  private static String lastLine(String text) {
    List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
    return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
  }

  /**
   * Checks something every 100 ms until told to stop; a check returns null when all is well, or
   * what is wrong. A check that throws saw a file vanish mid-read (a swap): it says nothing.
   */
  private static class Poller {
    final String name;
    final Supplier<String> check;
    final AtomicReference<String> violation = new AtomicReference<>();
    final AtomicInteger polls = new AtomicInteger();

    Poller(String name, Supplier<String> check) {
      this.name = name;
      this.check = check;
    }

    void run(AtomicBoolean stop) {
      while (!stop.get() && violation.get() == null) {
        try {
          String v = check.get();
          if (v != null) {
            violation.set(v);
          }
          polls.incrementAndGet();
        } catch (Exception e) {
          // A partition or file renamed away mid-read: the read fails, it does not see partial rows.
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /** Every alias names a version whose files verify against its manifest; so does every visible version. */
  private Poller aliasesVerify() {
    Set<String> checked = new java.util.HashSet<>();
    return new Poller("aliases", () -> {
      for (String alias : List.of(AliasStore.CHAMPION, AliasStore.PREVIOUS)) {
        if (registry.aliases().get(alias).isPresent()) {
          var v = registry.resolve(alias).verify();
          if (!v.ok()) {
            return alias + " -> " + v.version() + " does not verify: " + v.problems();
          }
        }
      }
      for (String version : registry.versions().list()) {
        if (checked.add(version) && !registry.version(version).verify().ok()) {
          return "version " + version + " is visible but does not verify";
        }
      }
      return null;
    });
  }

  /**
   * Reads D3's scores partition: 0 or N rows (0 while it is swapped), keys unique, one run's rows
   * of one version ({@code version}, when given).
   */
  private final class PartitionReader extends Poller {
    PartitionReader(String version) {
      super("scores dt=" + D3, () -> {
        Row r = spark.read().parquet(root.resolve("scores/churn/dt=" + D3).toUri().toString())
            .agg(functions.count("*"), functions.countDistinct("customer_id"), functions.countDistinct("scored_at"),
                functions.countDistinct("model_version"), functions.max("model_version"))
            .first();
        long n = r.getLong(0);
        if (n == 0) {
          return null;
        }
        if (n != rows || r.getLong(1) != n || r.getLong(2) != 1 || r.getLong(3) != 1
            || (version != null && !version.equals(r.getString(4)))) {
          return "dt=" + D3 + ": rows, keys, runs, versions, version = " + r;
        }
        return null;
      });
    }

    void assertClean() {
      assertThat(violation.get()).as(name).isNull();
    }
  }
}
