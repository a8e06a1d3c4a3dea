package dev.glmpipe.jobs;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.evaluate.EvaluationReport;
import dev.glmpipe.evaluate.ReleaseCheck;
import dev.glmpipe.io.JsonFiles;
import dev.glmpipe.io.TableLayout;
import dev.glmpipe.registry.AliasStore;
import dev.glmpipe.registry.ModelManifest;
import dev.glmpipe.registry.ModelRegistry;
import dev.glmpipe.registry.ModelVersion;
import dev.glmpipe.registry.VersionVerifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    Configuration hadoop;

    protected abstract Object run(ModelRegistry registry);

    @Override
    public Integer call() {
      GlmpipeConfig config = configOptions.load();
      hadoop = hadoopConfiguration(config);
      ModelRegistry registry = new ModelRegistry(hadoop, TableLayout.of(config.storage()).models(), config.model().name());
      launcher.out().println(JsonFiles.toJsonLine(run(registry)));
      launcher.out().flush();
      return 0;
    }

    /** The Hadoop settings a Spark job would get: {@code spark.hadoop.*} keys of the config's spark.conf. */
    static Configuration hadoopConfiguration(GlmpipeConfig config) {
      Configuration conf = new Configuration();
      config.spark().confOrEmpty().forEach((k, v) -> {
        if (k.startsWith("spark.hadoop.")) {
          conf.set(k.substring("spark.hadoop.".length()), v);
        }
      });
      return conf;
    }

    Optional<EvaluationReport> evaluation(ModelVersion version) {
      return ReleaseCheck.evaluation(hadoop, version);
    }
  }

  record VersionRow(String version, String createdAt, String modelType, String evaluation, List<String> aliases) {}

  record ListResult(String model, String champion, String previous, List<VersionRow> versions, List<String> incomplete) {}

  @Command(name = "list", description = "Every committed version with its evaluation and aliases.")
  static final class ListVersions extends RegistryCommand {
    @Override
    protected Object run(ModelRegistry registry) {
      String champion = registry.aliases().versionOf(AliasStore.CHAMPION);
      String previous = registry.aliases().versionOf(AliasStore.PREVIOUS);
      List<VersionRow> rows = new ArrayList<>();
      for (String v : registry.versions().list()) {
        ModelVersion version = registry.version(v);
        ModelManifest m = version.manifest();
        List<String> aliases = new ArrayList<>();
        if (v.equals(champion)) {
          aliases.add(AliasStore.CHAMPION);
        }
        if (v.equals(previous)) {
          aliases.add(AliasStore.PREVIOUS);
        }
        String evaluation = evaluation(version).map(e -> e.passed() ? "passed" : "rejected").orElse("not evaluated");
        rows.add(new VersionRow(v, m.createdAt(), m.modelType(), evaluation, aliases));
      }
      return new ListResult(registry.name(), champion, previous, rows, registry.versions().incomplete());
    }
  }

  record ShowResult(String model, String version, List<String> aliases, ModelManifest manifest, String manifestSha256,
      EvaluationReport.GateDecision gate, Map<String, Double> metrics, String reportPath,
      List<AliasStore.AliasChange> history) {}

  @Command(name = "show", description = "A version's manifest, evaluation and gate decision, and the alias history.")
  static final class Show extends RegistryCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "VERSION", description = "Version id (default: the champion).")
    String version;

    @Override
    protected Object run(ModelRegistry registry) {
      ModelVersion shown = registry.version(version != null ? version : registry.aliases().champion().version());
      String v = shown.id();
      List<String> aliases = new ArrayList<>();
      for (String a : List.of(AliasStore.CHAMPION, AliasStore.PREVIOUS)) {
        if (v.equals(registry.aliases().versionOf(a))) {
          aliases.add(a);
        }
      }
      Optional<EvaluationReport> e = evaluation(shown);
      return new ShowResult(registry.name(), v, aliases, shown.manifest(), shown.manifestSha256(),
          e.map(EvaluationReport::gate).orElse(null), e.map(EvaluationReport::metrics).orElse(null),
          e.map(EvaluationReport::reportPath).orElse(null),
          registry.aliases().history().stream().filter(h -> v.equals(h.version()) || v.equals(h.replacedVersion())).toList());
    }
  }

  record AliasResult(String model, String action, String champion, String previous, boolean changed) {
    static AliasResult after(ModelRegistry registry, String action, boolean changed) {
      return new AliasResult(registry.name(), action, registry.aliases().champion().version(),
          registry.aliases().versionOf(AliasStore.PREVIOUS), changed);
    }
  }

  @Command(name = "promote", description = "Make a verified version that passed evaluation the champion (audited).")
  static final class Promote extends RegistryCommand {
    @Parameters(index = "0", paramLabel = "VERSION", description = "Version id.")
    String version;

    @Override
    protected Object run(ModelRegistry registry) {
      ReleaseCheck.requirePassed(hadoop, registry, registry.version(version));
      boolean changed = registry.aliases().promote(version).isPresent();
      return AliasResult.after(registry, "promote", changed);
    }
  }

  @Command(name = "rollback", description = "Make the previous champion the champion again (audited; a second rollback undoes the first).")
  static final class Rollback extends RegistryCommand {
    @Override
    protected Object run(ModelRegistry registry) {
      registry.aliases().rollback();
      return AliasResult.after(registry, "rollback", true);
    }
  }

  record VerifyResult(String model, boolean ok, List<VersionVerifier.Verification> versions) {}

  @Command(name = "verify", description = "Check every file of a version (default: all versions) against its manifest's SHA-256.")
  static final class Verify extends RegistryCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "VERSION", description = "Version id (default: every version).")
    String version;

    @Override
    protected Object run(ModelRegistry registry) {
      List<String> targets = version != null ? List.of(version) : registry.versions().list();
      List<VersionVerifier.Verification> results = targets.stream().map(registry.verifier()::verify).toList();
      boolean ok = results.stream().allMatch(VersionVerifier.Verification::ok);
      VerifyResult result = new VerifyResult(registry.name(), ok, results);
      if (!ok) {
        // The full result still goes to stdout; the one-line error names the first bad version.
        launcher.out().println(JsonFiles.toJsonLine(result));
        VersionVerifier.Verification bad = results.stream().filter(r -> !r.ok()).findFirst().orElseThrow();
        throw GlmpipeException.dataContract("model '" + registry.name() + "' version " + bad.version() + " failed verification: "
            + bad.problems().get(0) + (bad.problems().size() > 1 ? " (and " + (bad.problems().size() - 1) + " more)" : ""));
      }
      return result;
    }
  }
}
