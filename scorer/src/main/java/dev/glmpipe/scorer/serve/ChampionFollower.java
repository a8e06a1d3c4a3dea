package dev.glmpipe.scorer.serve;

import dev.glmpipe.scorer.ExportFormatException;
import dev.glmpipe.scorer.ExportVerificationException;
import dev.glmpipe.scorer.ExportedModel;
import dev.glmpipe.scorer.VerifiedExport;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Keeps the service on the model's {@code champion}: each {@link #poll()} reads the alias, and
 * when it names another version (a promote or a rollback) loads that version's exports, verifies
 * every file against their manifest and that they were made from the version manifest the alias
 * pinned, and only then switches to it; in-flight requests finish on the model they started
 * with. A version that fails is refused, logged once per distinct problem, and the current one
 * keeps serving; the next poll tries it again (a fixed copy is picked up).
 */
public final class ChampionFollower {
  private static final Logger LOG = System.getLogger(ChampionFollower.class.getName());

  private final LocalRegistry registry;
  private final ServeMetrics metrics;
  private final AtomicReference<ServedModel> current = new AtomicReference<>();
  private volatile String lastProblem;

  public ChampionFollower(LocalRegistry registry, ServeMetrics metrics) {
    this.registry = registry;
    this.metrics = metrics;
  }

  /** The model now served; null before the first successful load. */
  public ServedModel current() {
    return current.get();
  }

  /** The problem that kept the latest alias change from being served, or null. */
  public String lastProblem() {
    return lastProblem;
  }

  /**
   * Loads the champion the first time.
   *
   * @throws IllegalStateException with one clear line if there is no champion or it fails verification
   */
  public ServedModel start() {
    poll();
    ServedModel m = current.get();
    if (m == null) {
      throw new IllegalStateException(lastProblem != null ? lastProblem
          : "model '" + registry.name() + "' has no champion under " + registry + " (no aliases/champion.json)");
    }
    return m;
  }

  /** Follows the alias once; never throws (a failure is logged and counted, the old model stays). */
  public void poll() {
    LocalRegistry.Alias alias;
    try {
      alias = registry.champion().orElse(null);
    } catch (IOException | RuntimeException e) {
      refuse(null, "cannot read the champion alias of model '" + registry.name() + "': " + e.getMessage());
      return;
    }
    if (alias == null) {
      if (current.get() != null) {
        refuse(null, "the champion alias of model '" + registry.name() + "' is gone; still serving "
            + current.get().alias().version());
      }
      return;
    }
    ServedModel now = current.get();
    if (now != null && now.alias().version().equals(alias.version())
        && Objects.equals(now.alias().manifestSha256(), alias.manifestSha256())) {
      lastProblem = null;
      return;
    }
    try {
      VerifiedExport export = VerifiedExport.read(registry.exportsOf(alias.version()));
      if (alias.manifestSha256() != null && export.versionManifestSha256() != null
          && !alias.manifestSha256().equals(export.versionManifestSha256())) {
        throw new ExportVerificationException("the exports of model '" + registry.name() + "' version " + alias.version()
            + " were made from version manifest " + export.versionManifestSha256() + ", the champion alias pinned "
            + alias.manifestSha256());
      }
      ExportedModel model = ExportedModel.of(export);
      if (!model.name().equals(registry.name())) {
        throw new ExportFormatException("the export names model '" + model.name() + "', not '" + registry.name() + "'");
      }
      ServedModel loaded = new ServedModel(model, export, alias, Instant.now());
      current.set(loaded);
      lastProblem = null;
      metrics.modelLoaded(loaded);
      LOG.log(Level.INFO, "serving model ''{0}'' version {1} (champion since {2}){3}", registry.name(), alias.version(),
          alias.updatedAt(), now == null ? "" : ", was " + now.alias().version());
    } catch (IOException | RuntimeException e) {
      String kept = now == null ? "nothing to serve yet" : "still serving version " + now.alias().version();
      refuse(alias.version(), "refused champion version " + alias.version() + " of model '" + registry.name() + "': "
          + e.getMessage() + "; " + kept);
    }
  }

  private void refuse(String version, String problem) {
    if (!problem.equals(lastProblem)) {
      metrics.refused();
      LOG.log(Level.ERROR, problem);
    }
    lastProblem = problem;
  }
}
