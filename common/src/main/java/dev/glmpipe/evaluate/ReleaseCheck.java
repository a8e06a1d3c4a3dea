package dev.glmpipe.evaluate;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.io.JsonFiles;
import dev.glmpipe.registry.AliasStore;
import dev.glmpipe.registry.ModelRegistry;
import dev.glmpipe.registry.ModelVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * What must hold before a version becomes champion: it was evaluated, the evaluation is of
 * this exact manifest, it passed, and the champion it was compared with is still the champion
 * (otherwise the comparison is stale and evaluate must run again).
 */
public final class ReleaseCheck {
  private ReleaseCheck() {}

  public static EvaluationReport requirePassed(Configuration conf, ModelRegistry registry, ModelVersion version) {
    EvaluationReport report = evaluation(conf, version).orElseThrow(() ->
        GlmpipeException.usage("version " + version.id() + " has not been evaluated: run evaluate first"));
    if (!report.passed()) {
      throw GlmpipeException.modelRejected("version " + version.id() + " failed evaluation and cannot be promoted: "
          + String.join("; ", report.failures()));
    }
    if (report.manifestSha256() == null || !report.manifestSha256().equals(version.manifestSha256())) {
      throw GlmpipeException.modelRejected("the evaluation of version " + version.id() + " was made for a different manifest"
          + " (sha256 " + report.manifestSha256() + "): run evaluate again");
    }
    String evaluatedAgainst = report.gate() == null ? null : report.gate().championVersion();
    String champion = registry.aliases().versionOf(AliasStore.CHAMPION);
    if (!Objects.equals(champion, version.id()) && !Objects.equals(evaluatedAgainst, champion)) {
      throw GlmpipeException.modelRejected("version " + version.id() + " was compared with champion " + evaluatedAgainst
          + " but the champion is now " + champion + ": run evaluate again");
    }
    return report;
  }

  /** The version's evaluation report, if evaluate has written one. */
  public static Optional<EvaluationReport> evaluation(Configuration conf, ModelVersion version) {
    Path path = version.evaluationPath();
    try {
      if (!path.getFileSystem(conf).exists(path)) {
        return Optional.empty();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + path, e);
    }
    return Optional.of(JsonFiles.read(conf, path, EvaluationReport.class));
  }
}
