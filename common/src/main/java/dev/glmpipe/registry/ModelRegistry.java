package dev.glmpipe.registry;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.train.TrainingRun;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * The model registry of one model name, on the Hadoop FileSystem API (file://, hdfs://, s3a://,
 * gs://). Three parts, each with one job: {@link VersionStore} (writing and reading versions),
 * {@link VersionVerifier} (checking them against their manifests) and {@link AliasStore}
 * (champion, previous, and their audit history); and {@link ModelVersion}, the handle every
 * job works with.
 *
 * <pre>
 * models/&lt;name&gt;/versions/&lt;version&gt;/{model/, profile.json, baseline.json, manifest.json}   immutable once visible
 * models/&lt;name&gt;/baselines/&lt;version&gt;.json          monitoring baseline rebuilt for a version without one
 * models/&lt;name&gt;/evaluations/&lt;version&gt;.json        evaluate's metrics and gate decision
 * models/&lt;name&gt;/reports/&lt;version&gt;.html            evaluate's HTML report
 * models/&lt;name&gt;/exports/&lt;version&gt;/               export's portable files (JSON, ONNX) + manifest.json, immutable
 * models/&lt;name&gt;/aliases/{champion,previous}.json    alias files, replaced atomically
 * models/&lt;name&gt;/aliases/history/&lt;time&gt;-&lt;id&gt;-&lt;alias&gt;.json   append-only audit of alias changes
 * </pre>
 *
 * <p><b>Visibility.</b> {@code manifest.json} is the commit marker: it is written last, after
 * every other file, and holds their SHA-256. Readers see only version directories that have it.
 * Where rename is atomic (local disk, HDFS) the version is also written under
 * {@code versions/_tmp-<version>} and renamed into place, so not even its directory shows
 * before it is whole. On object stores, where a rename is a copy, the version is written in
 * place and the manifest's single PUT is what publishes it. Either way a writer killed midway
 * leaves only a directory readers ignore.
 *
 * <p><b>Integrity.</b> Verification recomputes every file's SHA-256 against the manifest; an
 * alias also pins the SHA-256 of the manifest it promoted, so an edited manifest is caught too.
 * Scoring uses only a verified champion. A version's exports ({@link ExportStore}) are
 * published once, whole, with their own manifest of checksums, and verified the same way.
 */
public final class ModelRegistry {
  private final Configuration conf;
  private final String name;
  private final RegistryPaths paths;
  private final VersionStore versions;
  private final VersionVerifier verifier;
  private final AliasStore aliases;
  private final ExportStore exports;

  public ModelRegistry(Configuration conf, Path modelsRoot, String name) {
    this.conf = conf;
    this.name = name;
    this.paths = RegistryPaths.of(modelsRoot, name);
    this.versions = new VersionStore(conf, paths, name);
    this.verifier = new VersionVerifier(versions, name);
    this.aliases = new AliasStore(conf, paths, name, verifier);
    this.exports = new ExportStore(conf, paths, name);
  }

  public String name() {
    return name;
  }

  public VersionStore versions() {
    return versions;
  }

  public VersionVerifier verifier() {
    return verifier;
  }

  public AliasStore aliases() {
    return aliases;
  }

  /** The versions' published exports (immutable, checksummed; see {@link ExportStore}). */
  public ExportStore exports() {
    return exports;
  }

  /**
   * A committed version (not yet verified), or a usage error naming it. Callers holding a user's
   * argument check it first with {@link VersionId#require}, which names the argument.
   */
  public ModelVersion version(String id) {
    VersionId.require("model version", id);
    versions.dir(id);
    return new ModelVersion(name, id, versions, verifier, paths, null, null);
  }

  /** {@code id}, or the newest version when {@code id} is null. */
  public ModelVersion versionOrLatest(String id) {
    return version(id != null ? id : versions.latest());
  }

  /** The champion as its alias stands now, pinned to the manifest it promoted (not yet verified). */
  public ModelVersion champion() {
    return pinned(aliases.champion(), AliasStore.CHAMPION);
  }

  /** The version {@code versionOrAlias} names; pinned by the alias when it is one (not yet verified). */
  public ModelVersion resolve(String versionOrAlias) {
    VersionId.requireVersionOrAlias("model version", versionOrAlias);
    if (VersionId.isValid(versionOrAlias)) {
      return version(versionOrAlias);
    }
    return pinned(aliases.get(versionOrAlias).orElseThrow(() -> GlmpipeException.usage(
        "model '" + name + "' has no " + versionOrAlias + " alias yet")), versionOrAlias);
  }

  /** Stores what train produced as a new version (published whole, see above) and returns it. */
  public ModelVersion register(TrainingRun run) {
    return register(run, null);
  }

  /** As {@link #register(TrainingRun)}, its manifest naming the run that created it ({@code run_id}). */
  public ModelVersion register(TrainingRun run, String runId) {
    return version(versions.create(draft -> TrainedVersion.write(conf, draft, run, runId)));
  }

  private ModelVersion pinned(AliasStore.Alias alias, String aliasName) {
    return new ModelVersion(name, alias.version(), versions, verifier, paths, alias, aliasName);
  }

  @Override
  public String toString() {
    return "ModelRegistry[" + paths.root() + "]";
  }
}
