package dev.glmpipe.registry;

import dev.glmpipe.CodeVersion;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.features.FeaturePipeline;
import dev.glmpipe.features.FeatureSpecHash;
import dev.glmpipe.io.JsonFiles;
import dev.glmpipe.baseline.Baseline;
import dev.glmpipe.baseline.FeatureProfile;
import dev.glmpipe.train.HoldoutSplit;
import dev.glmpipe.train.ModelCoefficients;
import dev.glmpipe.train.TrainingRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Writes a {@link TrainingRun} into a version draft: the fitted pipeline, the profile, the
 * monitoring baseline, and its manifest.
 */
final class TrainedVersion {
  private TrainedVersion() {}

  /**
   * Fills {@code draft} and returns the manifest (the store adds checksums and writes it last).
   * {@code runId} is the train run's id, null outside a job.
   */
  static ModelManifest write(Configuration conf, VersionStore.VersionDraft draft, TrainingRun run, String runId) {
    try {
      run.trained().pipeline().write().save(draft.modelDir().toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save model to " + draft.modelDir(), e);
    }
    JsonFiles.write(conf, new Path(draft.dir(), FeatureProfile.FILE), run.pass().profile());
    if (run.baseline() != null) {
      // Checksummed with every other file of the draft (VersionStore.create).
      JsonFiles.write(conf, new Path(draft.dir(), Baseline.FILE), run.baseline().withVersion(draft.version()));
    }
    return manifest(draft, run, runId);
  }

  private static ModelManifest manifest(VersionStore.VersionDraft draft, TrainingRun run, String runId) {
    GlmpipeConfig c = run.config();
    HoldoutSplit split = run.split();
    Map<String, Long> rowCounts = new LinkedHashMap<>();
    rowCounts.put("train", run.pass().trainRows());
    rowCounts.put("holdout", run.pass().holdoutRows());
    List<LocalDate> dates = run.window().dates();
    ModelCoefficients coefficients = run.coefficients();
    return new ModelManifest(
        c.model().name(), draft.version(), draft.createdAt(), runId,
        c.model().type().name().toLowerCase(Locale.ROOT), c.dataset().label(), c.dataset().keyColumns(),
        new ModelManifest.DataWindow(run.window().from().toString(), run.window().to().toString(),
            dates.stream().map(LocalDate::toString).toList(),
            split.column(), split.fraction(), split.byName(), split.holdoutDates().isEmpty() ? null : split.holdoutDates()),
        rowCounts, run.params(), FeaturePipeline.inputColumns(c.features()), run.featureNames(),
        c.features().toTree(), FeatureSpecHash.of(c.features()), FeatureProfile.FILE,
        new ModelManifest.TrainingSummary(run.trained().iterations(),
            Arrays.stream(run.trained().objectiveHistory()).boxed().toList(), run.trained().solver(), run.convergence(),
            coefficients.intercept(), intercepts(coefficients), run.weights(), run.trained().coefficientStatistics(),
            run.trained().classWeights(), run.trained().tuning()),
        run.sparkVersion(), CodeVersion.get(),
        run.inputSchema().stream().map(f -> new ModelManifest.SchemaField(f.name(), f.type(), f.nullable())).toList(),
        null, run.inputContracts());
  }

  private static List<ModelManifest.Intercept> intercepts(ModelCoefficients coefficients) {
    return coefficients.intercepts() == null ? null
        : coefficients.intercepts().stream().map(i -> new ModelManifest.Intercept(i.outcome(), i.intercept())).toList();
  }
}
