package dev.glmpipe.jobs;

import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.evaluate.Releases;
import dev.glmpipe.io.HadoopSettings;
import dev.glmpipe.io.JsonFiles;
import dev.glmpipe.io.TableLayout;
import dev.glmpipe.registry.ModelRegistry;
import dev.glmpipe.registry.VersionId;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

    protected abstract Object run(Releases releases);

    @Override
    public Integer call() {
      GlmpipeConfig config = configOptions.load();
      Configuration hadoop = HadoopSettings.of(config);
      ModelRegistry registry = new ModelRegistry(hadoop, TableLayout.of(config.storage()).models(), config.model().name());
      launcher.out().println(JsonFiles.toJsonLine(run(new Releases(hadoop, registry))));
      launcher.out().flush();
      return 0;
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
    protected Object run(Releases releases) {
      return releases.promote(VersionId.require("VERSION", version));
    }
  }

  @Command(name = "rollback", description = "Make the previous champion the champion again (audited; a second rollback undoes the first).")
  static final class Rollback extends RegistryCommand {
    @Override
    protected Object run(Releases releases) {
      return releases.rollback();
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
