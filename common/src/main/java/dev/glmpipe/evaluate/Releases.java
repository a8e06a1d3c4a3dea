package dev.glmpipe.evaluate;

import dev.glmpipe.RunFigures;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.registry.AliasStore;
import dev.glmpipe.registry.ModelManifest;
import dev.glmpipe.registry.ModelRegistry;
import dev.glmpipe.registry.ModelVersion;
import dev.glmpipe.registry.VersionVerifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;

/**
 * The registry as {@code glmpipe models} shows and changes it, without Spark: every version
 * with its evaluation and aliases, one version in full, promote (only what passed evaluation),
 * rollback and verification.
 */
public final class Releases {
  private final Configuration conf;
  private final ModelRegistry registry;

  public Releases(Configuration conf, ModelRegistry registry) {
    this.conf = conf;
    this.registry = registry;
  }

  public record VersionRow(String version, String createdAt, String modelType, String evaluation, List<String> aliases) {}

  public record ListResult(String model, String champion, String previous, List<VersionRow> versions, List<String> incomplete) {}

  public record ShowResult(String model, String version, List<String> aliases, ModelManifest manifest, String manifestSha256,
      EvaluationReport.GateDecision gate, Map<String, Double> metrics, String reportPath,
      List<AliasStore.AliasChange> history) {}

  /** {@code at}: when the champion alias moved (null when it did not: the version already was champion). */
  public record AliasResult(String model, String action, String champion, String previous, boolean changed, String at)
      implements RunFigures.Source {
    /** A move by hand is a champion change like export's: the dashboard marks it. */
    @Override
    public RunFigures runFigures() {
      Map<String, Double> since = at == null ? null : Map.of("champion_since_timestamp_seconds",
          java.time.OffsetDateTime.parse(at).toInstant().toEpochMilli() / 1000.0);
      return new RunFigures(null, null, null, champion, null, since);
    }
  }

  /**
   * {@code versions}: each version's files; {@code exports}: the published exports of those
   * versions that have them. {@code ok} is false when any failed; {@link #requireOk} then names
   * the first.
   */
  public record VerifyResult(String model, boolean ok, List<VersionVerifier.Verification> versions,
      List<VersionVerifier.Verification> exports) {
    /** Throws a data error (exit 3) naming the first version (or exports) that failed and its first problem. */
    public VerifyResult requireOk() {
      fail(versions, "version ");
      fail(exports, "exports of version ");
      return this;
    }

    private void fail(List<VersionVerifier.Verification> checked, String what) {
      Optional<VersionVerifier.Verification> bad = checked.stream().filter(r -> !r.ok()).findFirst();
      if (bad.isPresent()) {
        List<String> problems = bad.get().problems();
        throw GlmpipeException.dataContract("model '" + model + "' " + what + bad.get().version() + " failed verification: "
            + problems.get(0) + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""));
      }
    }
  }

  /** Every committed version with its evaluation and aliases, and the directories that are not versions. */
  public ListResult list() {
    List<VersionRow> rows = new ArrayList<>();
    for (String v : registry.versions().list()) {
      ModelVersion version = registry.version(v);
      ModelManifest m = version.manifest();
      String evaluation = ReleaseCheck.evaluation(conf, version).map(e -> e.passed() ? "passed" : "rejected")
          .orElse("not evaluated");
      rows.add(new VersionRow(v, m.createdAt(), m.modelType(), evaluation, aliasesOf(v)));
    }
    return new ListResult(registry.name(), registry.aliases().versionOf(AliasStore.CHAMPION),
        registry.aliases().versionOf(AliasStore.PREVIOUS), rows, registry.versions().incomplete());
  }

  /** A version (the champion when null): manifest, evaluation, gate decision and its alias history. */
  public ShowResult show(String versionOrNull) {
    ModelVersion shown = registry.version(versionOrNull != null ? versionOrNull : registry.aliases().champion().version());
    String v = shown.id();
    Optional<EvaluationReport> e = ReleaseCheck.evaluation(conf, shown);
    return new ShowResult(registry.name(), v, aliasesOf(v), shown.manifest(), shown.manifestSha256(),
        e.map(EvaluationReport::gate).orElse(null), e.map(EvaluationReport::metrics).orElse(null),
        e.map(EvaluationReport::reportPath).orElse(null),
        registry.aliases().history().stream().filter(h -> v.equals(h.version()) || v.equals(h.replacedVersion())).toList());
  }

  /** Makes a verified version that passed evaluation the champion (see {@link ReleaseCheck}). */
  public AliasResult promote(String version) {
    return promote(version, null);
  }

  /** {@link #promote(String)}, recording the id of the run that promoted in the alias history. */
  public AliasResult promote(String version, String runId) {
    ReleaseCheck.requirePassed(conf, registry, registry.version(version));
    return after("promote", registry.aliases().promote(version, runId).map(AliasStore.AliasChange::at).orElse(null));
  }

  /** Makes the previous champion the champion again. */
  public AliasResult rollback() {
    return rollback(null);
  }

  /** {@link #rollback()}, recording the id of the run that rolled back in the alias history. */
  public AliasResult rollback(String runId) {
    return after("rollback", registry.aliases().rollback(runId).at());
  }

  /**
   * Every file of {@code versionOrNull} (every version when null) against its manifest, and its
   * published exports against theirs.
   */
  public VerifyResult verify(String versionOrNull) {
    List<String> targets = versionOrNull != null ? List.of(versionOrNull) : registry.versions().list();
    List<VersionVerifier.Verification> results = targets.stream().map(registry.verifier()::verify).toList();
    List<VersionVerifier.Verification> exports = targets.stream().filter(registry.exports()::exists)
        .map(registry.exports()::verify).toList();
    boolean ok = results.stream().allMatch(VersionVerifier.Verification::ok)
        && exports.stream().allMatch(VersionVerifier.Verification::ok);
    return new VerifyResult(registry.name(), ok, results, exports);
  }

  private List<String> aliasesOf(String version) {
    List<String> aliases = new ArrayList<>();
    for (String a : List.of(AliasStore.CHAMPION, AliasStore.PREVIOUS)) {
      if (version.equals(registry.aliases().versionOf(a))) {
        aliases.add(a);
      }
    }
    return aliases;
  }

  private AliasResult after(String action, String movedAt) {
    return new AliasResult(registry.name(), action, registry.aliases().champion().version(),
        registry.aliases().versionOf(AliasStore.PREVIOUS), movedAt != null, movedAt);
  }
}
