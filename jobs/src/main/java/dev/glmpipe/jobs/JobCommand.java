package dev.glmpipe.jobs;

import dev.glmpipe.ExitStatus;
import dev.glmpipe.GlmpipeException;

import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.io.JsonFiles;
import dev.glmpipe.runs.PipelineContext;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
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

  @Spec CommandSpec spec;

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
    GlmpipeConfig config = configOptions.load();
    O options = options(config);
    String name = spec.name();
    long start = System.nanoTime();
    try (SessionFactory.OpenSession session = launcher.sessions().open("glmpipe-" + name, config.spark())) {
      Object result = run(PipelineContext.of(session.spark(), config), options);
      LOG.info("{} finished in {} s", name, String.format("%.1f", (System.nanoTime() - start) / 1e9));
      launcher.out().println(JsonFiles.toJsonLine(result));
      launcher.out().flush();
      if (result instanceof ExitStatus status && status.exitCode() != 0) {
        // The result is printed and everything written; the exit code still stops the flow.
        throw new GlmpipeException(status.exitCode(), status.failure());
      }
    }
    return 0;
  }
}
