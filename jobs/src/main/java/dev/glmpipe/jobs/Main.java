package dev.glmpipe.jobs;

import dev.glmpipe.CodeVersion;
import dev.glmpipe.GlmpipeException;
import dev.glmpipe.config.ConfigRedactor;
import dev.glmpipe.jobs.bench.MonitorBenchmark;
import dev.glmpipe.jobs.bench.PreprocessBenchmark;
import dev.glmpipe.jobs.bench.ScaleData;
import dev.glmpipe.jobs.bench.ScoreBenchmark;
import dev.glmpipe.jobs.bench.TrainBenchmark;
import java.io.PrintStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IFactory;

/**
 * The launcher: {@code spark-submit --class dev.glmpipe.jobs.Main glmpipe.jar <job> [options]}.
 * Maps failures to documented exit codes with one clear line on stderr.
 */
@Command(name = "glmpipe", mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Train and bulk-score linear models on Apache Spark.",
    subcommands = {
        DatagenJob.class,
        PreprocessJob.class,
        TrainJob.class,
        EvaluateJob.class,
        ExportJob.class,
        ScoreJob.class,
        MonitorJob.class,
        MaintainJob.class,
        PreprocessBenchmark.Cli.class,
        ScoreBenchmark.Cli.class,
        TrainBenchmark.Cli.class,
        MonitorBenchmark.Cli.class,
        ScaleData.Cli.class,
        ModelsCommand.class,
        RunsCommand.class})
public final class Main implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    int code;
    try {
      code = execute(args, SessionFactory.DEFAULT, System.out, System.err);
    } catch (Error e) {
      // An Error (a class missing from the jar, memory exhausted) passes the job's own handler.
      // Exiting here ends the JVM even when a non-daemon thread the job started still runs;
      // returning would leave the process hanging with nothing said.
      LOG.error("glmpipe failed", ConfigRedactor.basic().throwable(e));
      System.err.println("glmpipe: failed: " + ConfigRedactor.basic().text(e.toString()));
      code = GlmpipeException.EXIT_FAILURE;
    }
    // Returning normally on success matters on YARN in cluster mode: an application that calls
    // System.exit(0) is marked FAILED and may be attempted again.
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Runs one job and returns its exit code; never calls System.exit (tests call this). */
  public static int execute(String[] args, SessionFactory sessions, PrintStream out, PrintStream err) {
    Launcher launcher = new Launcher(sessions, out, err);
    CommandLine cli = new CommandLine(new Main(), new JobFactory(launcher));
    cli.setOut(new java.io.PrintWriter(out, true));
    cli.setErr(new java.io.PrintWriter(err, true));
    cli.setExecutionExceptionHandler((ex, cmd, parsed) -> report(ex, cmd.getCommandName(), err, redactorOf(cmd)));
    cli.setParameterExceptionHandler((ex, argv) -> {
      // picocli quotes the arguments it rejects, and an argument may be a --set of a secret.
      err.println("glmpipe " + ex.getCommandLine().getCommandName() + ": error: "
          + ConfigRedactor.basic().text(ex.getMessage()));
      err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
      return GlmpipeException.EXIT_USAGE;
    });
    try {
      return cli.execute(args);
    } finally {
      org.slf4j.MDC.remove(dev.glmpipe.RunId.KEY); // put by JobCommand, kept for the failure's log line
    }
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "a job is required: one of " + String.join(", ", spec.subcommands().keySet()));
  }

  private static int report(Exception ex, String job, PrintStream err, ConfigRedactor redactor) {
    GlmpipeException known = GlmpipeException.find(ex);
    if (known != null) {
      LOG.debug("{} failed", job, redactor.throwable(ex));
      err.println("glmpipe " + job + ": error: " + redactor.text(known.getMessage()));
      return known.exitCode();
    }
    LOG.error("{} failed", job, redactor.throwable(ex));
    err.println("glmpipe " + job + ": failed: " + redactor.text(ex.toString()));
    return GlmpipeException.EXIT_FAILURE;
  }

  /** The command's redaction: it knows the secrets of the config the command loaded. */
  private static ConfigRedactor redactorOf(CommandLine cmd) {
    Object command = cmd.getCommand();
    if (command instanceof JobCommand<?> job) {
      return job.configOptions.redactor();
    }
    if (command instanceof ModelsCommand.RegistryCommand registry) {
      return registry.configOptions.redactor();
    }
    if (command instanceof RunsCommand.RecordsCommand records) {
      return records.configOptions.redactor();
    }
    return ConfigRedactor.basic();
  }


  /** Hands each job the launcher's session factory and output streams. */
  private record JobFactory(Launcher launcher) implements IFactory {
    @Override
    public <K> K create(Class<K> cls) throws Exception {
      K instance = CommandLine.defaultFactory().create(cls);
      if (instance instanceof JobCommand<?> job) {
        job.launcher = launcher;
      }
      if (instance instanceof ModelsCommand.RegistryCommand registryCommand) {
        registryCommand.launcher = launcher;
      }
      if (instance instanceof RunsCommand.RecordsCommand recordsCommand) {
        recordsCommand.launcher = launcher;
      }
      return instance;
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"glmpipe " + CodeVersion.get() + " (commit " + CodeVersion.commit() + ", Spark " + sparkVersion() + " on the classpath)"};
    }

    /** Spark's jar carries its version in a properties file; read it without a session. */
    private static String sparkVersion() {
      try (java.io.InputStream in = Main.class.getClassLoader().getResourceAsStream("spark-version-info.properties")) {
        java.util.Properties p = new java.util.Properties();
        if (in != null) {
          p.load(in);
        }
        return p.getProperty("version", "unknown");
      } catch (java.io.IOException e) {
        return "unknown";
      }
    }
  }
}
