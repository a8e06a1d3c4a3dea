package dev.glmpipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glmpipe.testing.SharedSpark;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The bad-input corpus: every case under {@code src/test/resources/bad-inputs/<case>/} is a raw
 * partition run through the real launcher ({@code preprocess}) and held to its {@code case.yaml}.
 * A case is data: its files ({@code input/}, copied as they are into {@code raw/dt=2026-11-01/}),
 * optional {@code generate} steps for files too big or too binary to commit (built from
 * {@code source/}), extra {@code settings} ({@code --set}s), and {@code expect}:
 *
 * <ul>
 *   <li>{@code exit}: the exit code;
 *   <li>{@code error} (and {@code error_also}): substrings of the one {@code glmpipe preprocess: error:} line
 *       of a failed run, which must print no stack trace;
 *   <li>{@code input_rows}, {@code valid_rows}: the result's counts (valid + quarantined = input is
 *       checked for every run that read its input, against the tables too);
 *   <li>{@code quarantined_rows}: rows in the quarantine table, for failed runs that wrote it;
 *   <li>{@code reasons}: each {@code CODE:column} (or {@code CODE}) and how many quarantined rows carry it, exactly;
 *   <li>{@code features}: a column's values in the features table, sorted, as text.
 * </ul>
 *
 * The shipped {@code conf/local.yaml} is used with {@code max_quarantine_fraction=1.0}, so that a
 * case's counts show in its result; cases about the limit set it back.
 */
class BadInputCorpusIT {
  private static final String CORPUS = "bad-inputs";
  private static final String DT = "2026-11-01";
  private static final AtomicInteger PASSED = new AtomicInteger();
  private static final List<String> FAILED = new ArrayList<>();

  @TempDir static Path work;

  @TestFactory
  Stream<DynamicTest> corpus() throws IOException, URISyntaxException {
    Path corpus = Path.of(BadInputCorpusIT.class.getClassLoader().getResource(CORPUS).toURI());
    List<Path> cases;
    try (Stream<Path> dirs = Files.list(corpus)) {
      cases = dirs.filter(d -> Files.isRegularFile(d.resolve("case.yaml"))).sorted().toList();
    }
    assertThat(cases).as("cases in the corpus").hasSizeGreaterThanOrEqualTo(25);
    // -Dbad.inputs=a,b runs just those cases (while working on them).
    String only = System.getProperty("bad.inputs", "");
    if (!only.isBlank()) {
      List<String> names = List.of(only.split(","));
      cases = cases.stream().filter(d -> names.contains(d.getFileName().toString())).toList();
    }
    Stream<DynamicTest> each = cases.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
      String name = dir.getFileName().toString();
      try {
        check(dir);
        PASSED.incrementAndGet();
      } catch (Throwable t) {
        synchronized (FAILED) {
          FAILED.add(name);
        }
        throw new AssertionError("bad input " + name + ": " + t.getMessage(), t);
      }
    }));
    return Stream.concat(each, Stream.of(DynamicTest.dynamicTest("summary", () -> {
      String line = "bad inputs: " + PASSED.get() + " passed, " + FAILED.size() + " failed"
          + (FAILED.isEmpty() ? "" : " (" + String.join(", ", FAILED) + ")");
      System.out.println(line);
      assertThat(FAILED).as(line).isEmpty();
    })));
  }

  @SuppressWarnings("unchecked")
  private static void check(Path dir) throws IOException {
    Map<String, Object> spec;
    try (InputStream in = Files.newInputStream(dir.resolve("case.yaml"))) {
      spec = new Yaml().load(in);
    }
    Map<String, Object> expect = (Map<String, Object>) spec.get("expect");
    Path root = Files.createDirectories(work.resolve(dir.getFileName().toString()));
    Path partition = Files.createDirectories(root.resolve("raw/dt=" + DT));
    Path input = dir.resolve("input");
    if (Files.isDirectory(input)) {
      try (Stream<Path> files = Files.list(input)) {
        for (Path f : files.toList()) {
          Files.copy(f, partition.resolve(f.getFileName().toString()));
        }
      }
    }
    for (Map<String, Object> step : (List<Map<String, Object>>) spec.getOrDefault("generate", List.of())) {
      generate(step, dir.resolve("source"), partition);
    }

    List<String> settings = new ArrayList<>(List.of("dataset.contract.max_quarantine_fraction=1.0"));
    settings.addAll((List<String>) spec.getOrDefault("settings", List.of()));
    JobRunner.Run run = new JobRunner(root, settings.toArray(String[]::new)).run("preprocess", "--dt", DT);

    int exit = ((Number) expect.get("exit")).intValue();
    assertThat(run.exitCode()).as("exit code; stderr:\n%s\nstdout:\n%s", tail(run.stderr()), run.stdout()).isEqualTo(exit);
    SparkSession spark = SharedSpark.get();
    Path quarantine = root.resolve("quarantine/dt=" + DT);
    Path features = root.resolve("features/dt=" + DT);
    if (expect.containsKey("reasons")) {
      Map<String, Long> reasons = new TreeMap<>();
      if (Files.exists(quarantine)) {
        for (Row r : spark.read().parquet(quarantine.toString()).select(explode(col("reasons"))).collectAsList()) {
          reasons.merge(r.getString(0), 1L, Long::sum);
        }
      }
      Map<String, Long> expected = new TreeMap<>();
      ((Map<String, Object>) expect.get("reasons")).forEach((k, v) -> expected.put(k, ((Number) v).longValue()));
      assertThat(reasons).as("reasons in the quarantine table").isEqualTo(expected);
    }
    if (exit == 0) {
      JsonNode report = run.json().get("partitions").get(0).get("report");
      long in = report.get("input_rows").asLong();
      long valid = report.get("valid_rows").asLong();
      long quarantined = report.get("quarantined_rows").asLong();
      assertThat(valid + quarantined).as("valid + quarantined = input rows").isEqualTo(in);
      assertThat(in).as("input rows").isEqualTo(((Number) expect.get("input_rows")).longValue());
      assertThat(valid).as("valid rows").isEqualTo(((Number) expect.get("valid_rows")).longValue());
      assertThat(spark.read().parquet(features.toString()).count()).as("rows in the features table").isEqualTo(valid);
      long inQuarantine = Files.exists(quarantine) ? spark.read().parquet(quarantine.toString()).count() : 0;
      assertThat(inQuarantine).as("rows in the quarantine table").isEqualTo(quarantined);
      Map<String, Long> byCode = new TreeMap<>();
      report.get("rows_by_reason").fields().forEachRemaining(e -> byCode.put(e.getKey(), e.getValue().asLong()));
      assertThat(byCode).as("rows_by_reason").isEqualTo(codesOf((Map<String, Object>) expect.get("reasons")));
    } else {
      BadInputIT.assertFailedResult(run, exit);
      String line = run.stderr().lines().filter(l -> l.startsWith("glmpipe preprocess: error: ")).findFirst()
          .orElseThrow(() -> new AssertionError("no 'glmpipe preprocess: error:' line in:\n" + tail(run.stderr())));
      assertThat(line).contains((String) expect.get("error"));
      if (expect.containsKey("error_also")) {
        assertThat(line).contains((String) expect.get("error_also"));
      }
      assertThat(run.stderr()).as("no stack trace").doesNotContain("\tat ");
      assertThat(features).as("nothing published").doesNotExist();
      if (expect.containsKey("quarantined_rows")) {
        assertThat(spark.read().parquet(quarantine.toString()).count()).as("rows in the quarantine table")
            .isEqualTo(((Number) expect.get("quarantined_rows")).longValue());
      }
    }
    Map<String, List<Object>> values = (Map<String, List<Object>>) expect.getOrDefault("features", Map.of());
    for (Map.Entry<String, List<Object>> e : values.entrySet()) {
      Dataset<Row> table = spark.read().parquet(features.toString());
      List<String> actual = table.select(col(e.getKey()).cast("string")).collectAsList().stream()
          .map(r -> r.getString(0)).sorted().toList();
      assertThat(actual).as("features column %s", e.getKey())
          .isEqualTo(e.getValue().stream().map(String::valueOf).sorted().toList());
    }
  }

  /** Rows per code, as the result counts them: {@code CODE:column} keys summed under {@code CODE}. */
  private static Map<String, Long> codesOf(Map<String, Object> reasons) {
    // A row with two reasons of the same code counts once under it; the corpus keeps one reason
    // per code per row, so the sum is exact.
    Map<String, Long> byCode = new TreeMap<>();
    reasons.forEach((k, v) -> byCode.merge(k.split(":")[0], ((Number) v).longValue(), Long::sum));
    return byCode;
  }

  /** One {@code generate} step: makes a file in the partition from {@code source/}. */
  @SuppressWarnings("unchecked")
  private static void generate(Map<String, Object> step, Path source, Path partition) throws IOException {
    if (step.containsKey("copy")) {
      Files.copy(source.resolve((String) step.get("copy")), partition.resolve((String) step.get("to")),
          StandardCopyOption.REPLACE_EXISTING);
    } else if (step.containsKey("gzip")) {
      Path to = partition.resolve((String) step.get("to"));
      try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(to))) {
        Files.copy(source.resolve((String) step.get("gzip")), out);
      }
      truncate(to, step);
    } else if (step.containsKey("append_line")) {
      Path to = partition.resolve((String) step.get("append_line"));
      String text = step.containsKey("text") ? (String) step.get("text")
          : ((String) step.get("repeat")).repeat(((Number) step.get("times")).intValue());
      Files.writeString(to, text + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    } else if (step.containsKey("parquet")) {
      // The CSV read as text, each listed column cast to its type, written as one Parquet file.
      SparkSession spark = SharedSpark.get();
      Dataset<Row> text = spark.read().option("header", true).csv(source.resolve((String) step.get("parquet")).toString());
      Map<String, String> types = new LinkedHashMap<>((Map<String, String>) step.getOrDefault("types", Map.of()));
      Column[] columns = java.util.Arrays.stream(text.columns())
          .map(c -> types.containsKey(c) ? col(c).cast(types.get(c)).as(c) : col(c)).toArray(Column[]::new);
      Path out = partition.resolveSibling("_parquet-" + step.get("to"));
      text.select(columns).coalesce(1).write().parquet(out.toString());
      Path part;
      try (Stream<Path> files = Files.list(out)) {
        part = files.filter(f -> f.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
      }
      Path to = partition.resolve((String) step.get("to"));
      Files.move(part, to);
      deleteTree(out);
      truncate(to, step);
    } else {
      throw new IllegalArgumentException("unknown generate step: " + step);
    }
  }

  private static void truncate(Path file, Map<String, Object> step) throws IOException {
    if (step.containsKey("keep_bytes")) {
      byte[] bytes = Files.readAllBytes(file);
      Files.write(file, java.util.Arrays.copyOf(bytes, Math.min(bytes.length, ((Number) step.get("keep_bytes")).intValue())));
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String tail(String text) {
    return text.length() <= 4000 ? text : "…" + text.substring(text.length() - 4000);
  }
}
