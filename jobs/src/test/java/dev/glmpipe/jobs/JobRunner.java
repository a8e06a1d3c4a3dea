package dev.glmpipe.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glmpipe.io.JsonFiles;
import dev.glmpipe.testing.SharedSpark;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs jobs through the real launcher ({@link Main#execute}) in this JVM, on the shared test
 * SparkSession, with the shipped {@code conf/local.yaml} and a temporary storage root.
 */
final class JobRunner {
  /** What a job printed and returned. */
  record Run(int exitCode, String stdout, String stderr) {
    JsonNode json() {
      try {
        return JsonFiles.MAPPER.readTree(stdout);
      } catch (IOException e) {
        throw new UncheckedIOException("stdout is not JSON: " + stdout + "\nstderr: " + stderr, e);
      }
    }
  }

  private final List<String> baseArgs;

  JobRunner(Path storageRoot, String... extraSets) {
    baseArgs = new ArrayList<>(List.of("--conf", "../conf/local.yaml",
        "--set", "storage.root=" + storageRoot.toUri(),
        "--set", "storage.tables.raw=raw"));
    for (String s : extraSets) {
      baseArgs.add("--set");
      baseArgs.add(s);
    }
  }

  /** Runs {@code job} with the runner's config plus {@code args}. */
  Run run(String job, String... args) {
    List<String> argv = new ArrayList<>();
    argv.add(job);
    argv.addAll(baseArgs);
    argv.addAll(Arrays.asList(args));
    return raw(argv.toArray(String[]::new));
  }

  /** Runs a subcommand ({@code models list}) with the runner's config plus {@code args}. */
  Run sub(String command, String subcommand, String... args) {
    List<String> argv = new ArrayList<>(List.of(command, subcommand));
    argv.addAll(baseArgs);
    argv.addAll(Arrays.asList(args));
    return raw(argv.toArray(String[]::new));
  }

  /**
   * The launcher in a JVM of its own (its own Spark) with the shipped local config, storage
   * under {@code root}, then {@code settings} as {@code --set}s; stdout and stderr go to
   * {@code <name>.out} and {@code <name>.err} under {@code root}. For tests that kill a run.
   */
  static Process launchChild(Path root, String name, List<String> settings, String... args) throws IOException {
    return launchChild(root, name, java.util.Map.of(), List.of(), settings, args);
  }

  /** {@link #launchChild(Path, String, List, String...)} with {@code env} added to its environment and {@code jvmArgs} to its JVM. */
  static Process launchChild(Path root, String name, java.util.Map<String, String> env, List<String> jvmArgs,
      List<String> settings, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
        "-Dderby.stream.error.file=" + root.resolve("derby.log")));
    cmd.addAll(jvmArgs);
    java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-opens") || a.startsWith("-XX:+IgnoreUnrecognizedVMOptions") || a.startsWith("-Djdk.reflect"))
        .forEach(cmd::add);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--conf", "../conf/local.yaml", "--set", "storage.root=" + root.toUri(), "--set", "storage.tables.raw=raw"));
    for (String s : settings) {
      cmd.addAll(List.of("--set", s));
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(new java.io.File("."))
        .redirectOutput(root.resolve(name + ".out").toFile()).redirectError(root.resolve(name + ".err").toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.environment().putAll(env);
    return pb.start();
  }

  /** Runs exactly {@code argv}, nothing added. */
  static Run raw(String... argv) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    SessionFactory shared = (name, config) -> new SessionFactory.OpenSession(SharedSpark.get(), false);
    int code = Main.execute(argv, shared, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8).trim(), err.toString(StandardCharsets.UTF_8).trim());
  }

  /** Runs and requires exit code 0, returning the result JSON. */
  JsonNode ok(String job, String... args) {
    Run r = run(job, args);
    if (r.exitCode() != 0) {
      throw new AssertionError(job + " exited " + r.exitCode() + ": " + r.stderr());
    }
    return r.json();
  }
}
