package dev.glmpipe.jobs;

import dev.glmpipe.ExitStatus;
import dev.glmpipe.GlmpipeException;
import dev.glmpipe.RunId;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.io.JsonFiles;
import dev.glmpipe.runs.PipelineContext;
import dev.glmpipe.runs.RunObserver;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The shape every job runs in: load and validate config and options (before Spark starts, so
 * mistakes cost seconds), open the session, run, print the result as one JSON line.
 *
 * @param <O> the job's own options, checked before Spark starts
 */
@Command(mixinStandardHelpOptions = true, sortOptions = false, versionProvider = Main.Version.class,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:ok",
        "1:unexpected failure (see the log)",
        "2:usage or config error",
        "3:input data missing or breaking its contract",
        "4:model rejected by the quality gate",
        "5:monitoring alert with monitor.on_alert=fail (everything was written)"})
public abstract class JobCommand<O> implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(JobCommand.class);

  @Mixin ConfigOptions configOptions;

  @Option(names = "--result-uri", paramLabel = "URI",
      description = "Also write the run's one-line JSON result (success or failure) to this file; any Hadoop path"
          + " (s3://, gs://, file:). For schedulers that cannot read the driver's stdout (cluster deploy mode).")
  String resultUri;

  @Spec CommandSpec spec;

  /** The Hadoop configuration of the run's session while it is open (result files on object stores). */
  private org.apache.hadoop.conf.Configuration hadoopConf;

  Launcher launcher;

  /**
   * The job's command-line options, checked against each other and the loaded config (a usage
   * error, exit 2, if they do not fit).
   */
  protected abstract O options(GlmpipeConfig config);

  /** Runs the job's operation and returns its result. */
  protected abstract Object run(PipelineContext context, O options);

  @Override
  public Integer call() {
    String name = spec.name();
    String runId = configOptions.runId == null ? RunId.generate(name) : RunId.given(configOptions.runId);
    // Every log line of this thread names the run (conf/log4j2.properties prints %X{run_id}).
    MDC.put(RunId.KEY, runId);
    RunObserver observer = RunObserver.start(runId, name);
    int exitCode = 0;
    Throwable failure = null;
    try {
      return call(name, runId, observer);
    } catch (RuntimeException e) {
      if (!resultPrinted) {
        printFailure(name, runId, e);
      }
      GlmpipeException known = GlmpipeException.find(e);
      exitCode = known == null ? GlmpipeException.EXIT_FAILURE : known.exitCode();
      failure = e;
      throw e;
    } finally {
      try {
        // Succeeded or failed, the run leaves its record and its metrics.
        observer.finish(result, exitCode, failure);
      } catch (RuntimeException pushFailed) {
        if (failure == null) {
          throw pushFailed; // metrics.fail_on_error: a run whose push failed fails
        }
        LOG.warn("{}", pushFailed.getMessage()); // the job's own failure is the one to report
      }
      // The run id stays in the log context until the launcher has logged how the run ended (Main.execute).
    }
  }

  /** The job's result once it returned one (a run can still fail after that: an alert, a push). */
  private Object result;

  /**
   * The label the run's metrics are pushed under: the job's name, unless one job has two
   * kinds of runs whose metrics must not overwrite each other ({@code monitor --realized}).
   */
  protected String metricsJob() {
    return spec.name();
  }

  /** Set once the result line is out: a run prints one line on stdout, whatever happens after. */
  private boolean resultPrinted;

  /**
   * A failed run's result: status, exit code, error class and message, so a scheduler can read
   * why without parsing logs. The launcher still prints its one error line on stderr.
   */
  private void printFailure(String name, String runId, RuntimeException e) {
    GlmpipeException known = GlmpipeException.find(e);
    com.fasterxml.jackson.databind.node.ObjectNode out = JsonFiles.MAPPER.createObjectNode()
        .put(RunId.KEY, runId).put("job", name).put("status", "failed")
        .put("exit_code", known == null ? GlmpipeException.EXIT_FAILURE : known.exitCode())
        .put("error_class", known == null ? e.getClass().getName() : known.getClass().getName())
        .put("error", configOptions.redactor().text(known == null ? String.valueOf(e.getMessage()) : known.getMessage()));
    String line = JsonFiles.toJsonLine(out);
    launcher.out().println(line);
    launcher.out().flush();
    writeResultFile(line);
  }

  /**
   * Writes the result line to {@code --result-uri}, replacing an earlier try's. A file that
   * cannot be written only warns: the run's own outcome and exit code stand.
   */
  private void writeResultFile(String line) {
    if (resultUri == null) {
      return;
    }
    try {
      org.apache.hadoop.conf.Configuration conf =
          hadoopConf != null ? hadoopConf : new org.apache.hadoop.conf.Configuration();
      JsonFiles.replaceAtomically(conf, new org.apache.hadoop.fs.Path(resultUri),
          (line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      LOG.warn("cannot write the result to --result-uri {}: {}", resultUri, e.toString());
    }
  }

  private Integer call(String name, String runId, RunObserver observer) {
    GlmpipeConfig config = configOptions.load();
    LogFormat.apply(config.loggingOrDefault());
    O options = options(config);
    observer.configured(config, configOptions.sha256(), requestedDates(), metricsJob());
    long start = System.nanoTime();
    try (SessionFactory.OpenSession session = launcher.sessions().open("glmpipe-" + name, config.spark())) {
      LogFormat.reapplyAfterSparkStart(config.loggingOrDefault());
      // Spark's job descriptions name the run too (JobStages), on this thread and those it starts.
      session.spark().sparkContext().setLocalProperty(RunId.SPARK_PROPERTY, runId);
      hadoopConf = new org.apache.hadoop.conf.Configuration(session.spark().sparkContext().hadoopConfiguration());
      observer.attach(session.spark());
      try {
        result = run(PipelineContext.of(session.spark(), config), options);
      } finally {
        session.spark().sparkContext().setLocalProperty(RunId.SPARK_PROPERTY, null);
        observer.detach();
      }
      LOG.info("{} finished in {} s", name, String.format("%.1f", (System.nanoTime() - start) / 1e9));
      int exitCode = result instanceof ExitStatus status ? status.exitCode() : 0;
      String line = configOptions.redactor().text(JsonFiles.toJsonLine(withRunId(result, runId, exitCode)));
      launcher.out().println(line);
      launcher.out().flush();
      resultPrinted = true;
      writeResultFile(line);
      if (result instanceof ExitStatus status && status.exitCode() != 0) {
        // The result is printed and everything written; the exit code still stops the flow.
        throw new GlmpipeException(status.exitCode(), status.failure());
      }
    }
    return 0;
  }

  /** The dates the command line asked for ({@code --dt} or {@code --from/--to}), for the run record. */
  private List<String> requestedDates() {
    for (CommandSpec mixin : spec.mixins().values()) {
      if (mixin.userObject() instanceof DateOptions d) {
        return d.requested();
      }
    }
    return List.of();
  }

  /**
   * The job's result with {@code run_id} first; a result that still fails its run (an
   * {@link ExitStatus}) also says {@code status: failed} and its {@code exit_code}.
   */
  static Object withRunId(Object result, String runId, int exitCode) {
    com.fasterxml.jackson.databind.node.ObjectNode out = JsonFiles.MAPPER.createObjectNode().put(RunId.KEY, runId);
    if (exitCode != 0) {
      out.put("status", "failed").put("exit_code", exitCode);
    }
    com.fasterxml.jackson.databind.JsonNode tree = JsonFiles.MAPPER.valueToTree(result);
    if (tree instanceof com.fasterxml.jackson.databind.node.ObjectNode fields) {
      out.setAll(fields);
      return out;
    }
    return result;
  }
}
