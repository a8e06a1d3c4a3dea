package dev.glmpipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets handed to a run — in a config file, in {@code --set}s, as Spark and Hadoop properties,
 * in a URL's user info, in the environment — appear nowhere the runs print or write: not on
 * stdout or stderr (logs with the shipped log4j2 config, results, errors), not in any file under
 * the storage root (run records, tables, Spark's event log), whether the run succeeds, fails on
 * its input, or fails on its config or command line.
 */
class RedactionIT {
  private static final String DT = "2026-11-07";

  @TempDir Path root;

  @Test
  void noSecretAppearsInAnythingTheRunsPrintOrWrite() throws Exception {
    String tag = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String sseC = "ssec-yaml-" + tag;
    String bucketSecret = "bucket-secret-" + tag;
    String jdbcPassword = "jdbcpw-" + tag;
    String setSecret = "set-s3a-secret-" + tag;
    String authSecret = "spark-auth-" + tag;
    String pushPassword = "pushpw-" + tag;
    String envSecret = "env-aws-secret-" + tag;
    String keyId = "AKIA" + tag.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "X") + "QRST";
    String badValue = "badyaml-" + tag;
    String parserSecret = "picocli-" + tag;
    List<String> secrets = List.of(sseC, bucketSecret, jdbcPassword, setSecret, authSecret, pushPassword, envSecret, keyId,
        badValue, parserSecret);

    Path overlay = root.resolve("secrets.yaml");
    Files.writeString(overlay, String.join("\n",
        "spark:",
        "  conf:",
        "    spark.hadoop.fs.s3a.encryption.key: " + sseC,
        "    spark.hadoop.fs.s3a.bucket.tenant-b.secret.key: " + bucketSecret,
        "    spark.hadoop.javax.jdo.option.ConnectionURL: jdbc:mysql://hive:" + jdbcPassword + "@127.0.0.1:3306/metastore",
        ""));
    Path events = Files.createDirectories(root.resolve("spark-events"));
    List<String> settings = List.of(
        "datagen.rows_per_day=60",
        "spark.conf.spark.hadoop.fs.s3a.secret.key=" + setSecret,
        "spark.conf.spark.authenticate.secret=" + authSecret,
        // Spark's event log records every Spark, Hadoop and system property, the command line included.
        "spark.conf.spark.eventLog.enabled=true",
        "spark.conf.spark.eventLog.dir=" + events.toUri());
    Map<String, String> env = Map.of("AWS_SECRET_ACCESS_KEY", envSecret, "AWS_ACCESS_KEY_ID", keyId);
    // The shipped log4j2 config (glmpipe at INFO): the effective config is logged as in production.
    List<String> jvm = List.of("-Dlog4j2.configurationFile=" + Path.of("../conf/log4j2.properties").toAbsolutePath().toUri());

    int datagen = run("datagen", env, jvm, settings, "datagen", "--dt", DT, "--conf", overlay.toString(), "--run-id", "gen-1");
    assertThat(datagen).as(output("datagen")).isZero();
    int missing = run("missing", env, jvm, settings, "preprocess", "--dt", "2026-11-08", "--conf", overlay.toString(),
        "--run-id", "pre-missing");
    assertThat(missing).as(output("missing")).isEqualTo(3);
    List<String> badConfig = new ArrayList<>(settings);
    badConfig.add("spark.conf.spark.hadoop.fs.s3a.encryption.key=" + badValue + ": [");
    int config = run("config", env, jvm, badConfig, "preprocess", "--dt", DT, "--conf", overlay.toString());
    assertThat(config).as(output("config")).isEqualTo(2);
    List<String> pushgateway = new ArrayList<>(settings);
    pushgateway.add("metrics.pushgateway=http://ops:" + pushPassword + "@127.0.0.1:9"); // rejected: credentials by env only
    assertThat(run("pushgateway", env, jvm, pushgateway, "datagen", "--dt", DT, "--conf", overlay.toString()))
        .as(output("pushgateway")).isEqualTo(2);
    int usage = run("usage", env, jvm, settings, "preprocess", "--dt", DT, "--conf", overlay.toString(),
        "--no-such-option", "spark.conf.spark.hadoop.fs.s3a.secret.key=" + parserSecret);
    assertThat(usage).as(output("usage")).isEqualTo(2);

    // The runs did print and write what would carry the secrets, masked.
    assertThat(output("datagen")).contains("effective config: ", "\"spark.hadoop.fs.s3a.encryption.key\":\"***\"",
        "jdbc:mysql://hive:***@127.0.0.1:3306/metastore");
    assertThat(output("pushgateway")).contains("config key 'metrics.pushgateway'");
    assertThat(output("missing")).contains("\"status\":\"failed\"", "raw input partition not found");
    assertThat(output("config")).contains("config key 'spark.conf.spark.hadoop.fs.s3a.encryption.key'");
    assertThat(output("usage")).contains("--no-such-option", "spark.hadoop.fs.s3a.secret.key=***");
    assertThat(filesUnder(root.resolve("runs"))).hasSize(2);
    List<Path> eventLogs = filesUnder(events);
    assertThat(eventLogs).isNotEmpty();
    assertThat(Files.readString(eventLogs.get(0))).contains("spark.hadoop.fs.s3a.encryption.key", "fs.s3a.encryption.key");

    // … and no secret is anywhere: stdout, stderr, logs, records, tables, event logs.
    List<Path> everything = filesUnder(root);
    assertThat(everything).hasSizeGreaterThan(10);
    List<String> leaks = new ArrayList<>();
    for (Path file : everything) {
      if (file.equals(overlay)) {
        continue; // the input that holds them
      }
      String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
      for (String secret : secrets) {
        if (content.contains(secret)) {
          int at = content.indexOf(secret);
          leaks.add(secret + " in " + root.relativize(file) + ": …"
              + content.substring(Math.max(0, at - 120), Math.min(content.length(), at + secret.length() + 40)) + "…");
        }
      }
    }
    assertThat(leaks).isEmpty();
  }

  private int run(String name, Map<String, String> env, List<String> jvm, List<String> settings, String... args)
      throws Exception {
    Process p = JobRunner.launchChild(root, name, env, jvm, settings, args);
    if (!p.waitFor(240, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(name + " did not finish in 240 s: " + output(name));
    }
    return p.exitValue();
  }

  private String output(String name) {
    try {
      return Files.readString(root.resolve(name + ".out")) + "\n" + Files.readString(root.resolve(name + ".err"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Path> filesUnder(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).toList();
    }
  }
}
