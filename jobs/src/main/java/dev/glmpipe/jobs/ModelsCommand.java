package dev.glmpipe.jobs;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.RunId;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.evaluate.Releases;
import dev.glmpipe.io.HadoopSettings;
import dev.glmpipe.io.JsonFiles;
import dev.glmpipe.io.TableLayout;
import dev.glmpipe.registry.ModelRegistry;
import dev.glmpipe.runs.RunObserver;
import java.util.List;
import dev.glmpipe.registry.VersionId;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import org.slf4j.MDC;
import picocli.CommandLine.Parameters;

/**
 * {@code glmpipe models list|show|promote|rollback|verify}: the registry without Spark. Each
 * prints one JSON line; a version that fails verification exits 3, a promote of a version that
 * did not pass evaluation exits 4.
 */
@Command(name = "models", description = "Inspect the model registry, verify versions, promote and roll back the champion.",
    mixinStandardHelpOptions = true,
    subcommands = {ModelsCommand.ListVersions.class, ModelsCommand.Show.class, ModelsCommand.Promote.class,
        ModelsCommand.Rollback.class, ModelsCommand.Verify.class})
final class ModelsCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(),
        "a subcommand is required: one of " + String.join(", ", spec.subcommands().keySet()));
  }

  /** Config loading, the registry on the Hadoop file system, and the one-line JSON result. */
  @Command(mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {"0:ok", "1:unexpected failure", "2:usage or config error (unknown version, no champion)",
          "3:a version failed verification (tampered or damaged files)", "4:promote of a version that did not pass evaluation"})
  abstract static class RegistryCommand implements Callable<Integer> {
    @Mixin ConfigOptions configOptions;

    Launcher launcher;

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    /** This run's id, for the commands that change the registry (they leave a run record). */
    String runId;

    protected abstract Object run(Releases releases);

    /** Promote and rollback move the champion: like the jobs, they leave a run record and push metrics. */
    protected boolean movesChampion() {
      return false;
    }

    @Override
    public Integer call() {
      GlmpipeConfig config = configOptions.load();
      Configuration hadoop = HadoopSettings.of(config);
      Releases releases = new Releases(hadoop,
          new ModelRegistry(hadoop, TableLayout.of(config.storage()).models(), config.model().name()));
      if (!movesChampion()) {
        launcher.out().println(JsonFiles.toJsonLine(run(releases)));
        launcher.out().flush();
        return 0;
      }
      String job = spec.name();
      runId = configOptions.runId == null ? RunId.generate(job) : RunId.given(configOptions.runId);
      MDC.put(RunId.KEY, runId);
      RunObserver observer = RunObserver.start(runId, job);
      observer.configured(config, configOptions.sha256(), List.of(), job);
      Object result = null;
      RuntimeException failure = null;
      try {
        result = run(releases);
        launcher.out().println(JsonFiles.toJsonLine(JobCommand.withRunId(result, runId, 0)));
        launcher.out().flush();
        return 0;
      } catch (RuntimeException e) {
        failure = e;
        throw e;
      } finally {
        GlmpipeException known = failure == null ? null : GlmpipeException.find(failure);
        observer.finish(result, failure == null ? 0 : known == null ? GlmpipeException.EXIT_FAILURE : known.exitCode(), failure);
      }
    }
  }

  @Command(name = "list", description = "Every committed version with its evaluation and aliases.")
  static final class ListVersions extends RegistryCommand {
    @Override
    protected Object run(Releases releases) {
      return releases.list();
    }
  }

  @Command(name = "show", description = "A version's manifest, evaluation and gate decision, and the alias history.")
  static final class Show extends RegistryCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "VERSION", description = "Version id (default: the champion).")
    String version;

    @Override
    protected Object run(Releases releases) {
      return releases.show(VersionId.require("VERSION", version));
    }
  }

  @Command(name = "promote", description = "Make a verified version that passed evaluation the champion (audited).")
  static final class Promote extends RegistryCommand {
    @Parameters(index = "0", paramLabel = "VERSION", description = "Version id.")
    String version;

    @Override
    protected boolean movesChampion() {
      return true;
    }

    @Override
    protected Object run(Releases releases) {
      return releases.promote(VersionId.require("VERSION", version), runId);
    }
  }

  @Command(name = "rollback", description = "Make the previous champion the champion again (audited; a second rollback undoes the first).")
  static final class Rollback extends RegistryCommand {
    @Override
    protected boolean movesChampion() {
      return true;
    }

    @Override
    protected Object run(Releases releases) {
      return releases.rollback(runId);
    }
  }

  @Command(name = "verify", description = "Check every file of a version (default: all versions) against its manifest's SHA-256.")
  static final class Verify extends RegistryCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "VERSION", description = "Version id (default: every version).")
    String version;

    @Override
    protected Object run(Releases releases) {
      Releases.VerifyResult result = releases.verify(VersionId.require("VERSION", version));
      if (!result.ok()) {
        // The full result still goes to stdout; the one-line error names the first bad version.
        launcher.out().println(JsonFiles.toJsonLine(result));
      }
      return result.requireOk();
    }
  }
}
