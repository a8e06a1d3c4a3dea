package dev.glmpipe.registry;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.baseline.Baseline;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.io.JsonFiles;
import dev.glmpipe.io.PartitionedTable;
import dev.glmpipe.io.TableLayout;
import dev.glmpipe.train.TrainingBaseline;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The monitoring baseline of any version, old or new: the version's own {@code baseline.json}
 * when it has one; else a baseline rebuilt earlier for it ({@link RegistryPaths#rebuiltBaseline},
 * outside the version directory, which never changes); else rebuilt now, once, from the
 * version's recorded training window with the same code train uses (a pass over the window and
 * one over its holdout scored by the version's pipeline) and stored there for next time.
 *
 * <p>Lives with the registry rather than in {@code monitor}: it reads versions, and the
 * registry already sits above {@code monitor}.
 */
public final class Baselines {
  private Baselines() {}

  /**
   * @throws GlmpipeException (data contract, exit 3) when a rebuild is needed but some of the
   *     training window's feature partitions are gone
   */
  public static Baseline forVersion(SparkSession spark, GlmpipeConfig config, ModelVersion version) {
    java.util.Optional<Baseline> own = version.baseline();
    if (own.isPresent()) {
      return own.get();
    }
    Configuration conf = version.conf();
    Path rebuilt = version.rebuiltBaselinePath();
    try {
      if (rebuilt.getFileSystem(conf).exists(rebuilt)) {
        return JsonFiles.read(conf, rebuilt, Baseline.class);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + rebuilt, e);
    }
    PartitionedTable features = new PartitionedTable(spark, TableLayout.of(config.storage()).features());
    List<LocalDate> window = version.manifest().dataWindow().localDates();
    List<String> missing = window.stream().filter(d -> !features.isCommitted(d)).map(LocalDate::toString).toList();
    if (!missing.isEmpty()) {
      throw GlmpipeException.dataContract("cannot rebuild the monitoring baseline of " + version
          + ": its training window's feature partition" + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing)
          + (missing.size() > 1 ? " are" : " is") + " gone from " + features.root()
          + "; retraining creates a version with its own baseline");
    }
    Baseline baseline = TrainingBaseline.rebuild(version.windowRows(features), version.split(), version.spec(),
        version.pipeline(), config.monitorOrDefault().bins()).withVersion(version.id());
    // Written beside and renamed into place: a run killed midway leaves no half-written baseline.
    JsonFiles.replaceAtomically(conf, rebuilt, baseline);
    return baseline;
  }
}
