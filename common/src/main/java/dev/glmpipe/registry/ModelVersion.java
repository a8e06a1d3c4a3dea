package dev.glmpipe.registry;

import dev.glmpipe.config.ConfigBinder;
import dev.glmpipe.config.FeaturesConfig;
import dev.glmpipe.features.FittedPlan;
import dev.glmpipe.io.PartitionedTable;
import dev.glmpipe.baseline.Baseline;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import dev.glmpipe.train.HoldoutSplit;
import dev.glmpipe.train.TrainingFrames;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * One committed model version: its manifest, the feature spec it was trained with, its fitted
 * pipeline and that pipeline's plan (each read once, on first use), the rows it was trained and held out on, and its check
 * against its manifest. Obtained from {@link ModelRegistry}; nobody re-derives these from the
 * manifest by hand.
 *
 * <p>A version reached through an alias carries the alias's pin (the SHA-256 of the manifest
 * it promoted), and {@link #requireVerified} checks it too.
 */
public final class ModelVersion {
  private final String model;
  private final String id;
  private final VersionStore store;
  private final VersionVerifier verifier;
  private final RegistryPaths paths;
  private final AliasStore.Alias pin;
  private final String pinnedBy;
  // Separate locks: the manifest must not wait behind a pipeline being loaded on another thread.
  private final Object manifestLock = new Object();
  private final Object pipelineLock = new Object();
  private ModelManifest manifest;
  private PipelineModel pipeline;
  private FittedPlan plan;

  ModelVersion(String model, String id, VersionStore store, VersionVerifier verifier, RegistryPaths paths,
      AliasStore.Alias pin, String pinnedBy) {
    this.model = model;
    this.id = id;
    this.store = store;
    this.verifier = verifier;
    this.paths = paths;
    this.pin = pin;
    this.pinnedBy = pinnedBy;
  }

  public String model() {
    return model;
  }

  public String id() {
    return id;
  }

  /** The alias this version was reached through, or null. */
  public String alias() {
    return pinnedBy;
  }

  public Path dir() {
    return store.dir(id);
  }

  public ModelManifest manifest() {
    synchronized (manifestLock) {
      if (manifest == null) {
        manifest = store.manifest(id);
      }
      return manifest;
    }
  }

  /** SHA-256 of manifest.json as stored now (what evaluations and aliases pin). */
  public String manifestSha256() {
    return store.manifestSha256(id);
  }

  /** The feature spec the version was trained with: today's config may have moved on since. */
  public FeaturesConfig spec() {
    return ConfigBinder.bind(manifest().featureSpec(), FeaturesConfig.class);
  }

  /** The fitted pipeline, loaded on first use (safe to start on another thread while verifying). */
  public PipelineModel pipeline() {
    synchronized (pipelineLock) {
      if (pipeline == null) {
        pipeline = store.loadPipeline(id);
      }
      return pipeline;
    }
  }

  /** The fitted pipeline read once into its plan, with the slot names of the version's own spec. */
  public FittedPlan plan() {
    synchronized (pipelineLock) {
      if (plan == null) {
        plan = FittedPlan.of(pipeline(), spec());
      }
      return plan;
    }
  }

  /** Every file against the manifest, and the manifest against the alias's pin if any. */
  public VersionVerifier.Verification verify() {
    return pin == null ? verifier.verify(id) : verifier.verify(id, pin.manifestSha256(), pinnedBy);
  }

  /** This version, after {@link #verify} passed; a data error (exit 3) naming the problems otherwise. */
  public ModelVersion requireVerified() {
    verifier.require(verify());
    return this;
  }

  /** The train/holdout split the version was trained with. */
  public HoldoutSplit split() {
    return manifest().dataWindow().split();
  }

  /** The training window's rows from the features table, with the label column. */
  public Dataset<Row> windowRows(PartitionedTable features) {
    return TrainingFrames.withLabel(features.read(manifest().dataWindow().localDates()), manifest().label());
  }

  /** The rows the version held out at training time (none of them was trained on). */
  public Dataset<Row> holdout(PartitionedTable features) {
    return TrainingFrames.holdout(windowRows(features), split());
  }

  /**
   * The monitoring baseline written with the version ({@code baseline.json}); empty for versions
   * trained before baselines (see {@link Baselines#forVersion} for those).
   */
  public Optional<Baseline> baseline() {
    return store.readIfPresent(id, Baseline.FILE, Baseline.class);
  }

  /** Where a baseline rebuilt for this version lives (outside the version directory). */
  public Path rebuiltBaselinePath() {
    return paths.rebuiltBaseline(id);
  }

  Configuration conf() {
    return store.conf();
  }

  /** evaluate's metrics and gate decision for this version. */
  public Path evaluationPath() {
    return paths.evaluation(id);
  }

  /** evaluate's HTML report for this version. */
  public Path reportPath() {
    return paths.report(id);
  }

  /** export's portable files (JSON, ONNX) for this version. */
  public Path exportDir() {
    return paths.exports(id);
  }

  @Override
  public String toString() {
    return model + " version " + id;
  }
}
