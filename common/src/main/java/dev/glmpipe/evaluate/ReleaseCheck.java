package dev.glmpipe.evaluate;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.io.JsonFiles;
import dev.glmpipe.registry.ModelRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * What must hold before a version becomes champion: it was evaluated, the evaluation is of
 * this exact manifest, it passed, and the champion it was compared with is still the champion
 * (otherwise the comparison is stale and evaluate must run again).
 */
public final class ReleaseCheck {
  private ReleaseCheck() {}

  public static EvaluationReport requirePassed(Configuration conf, ModelRegistry registry, String version) {
    Path path = registry.evaluationPath(version);
    try {
      if (!path.getFileSystem(conf).exists(path)) {
        throw GlmpipeException.usage("version " + version + " has not been evaluated: run evaluate first");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + path, e);
    }
    EvaluationReport report = JsonFiles.read(conf, path, EvaluationReport.class);
    if (!report.passed()) {
      throw GlmpipeException.modelRejected("version " + version + " failed evaluation and cannot be promoted: "
          + String.join("; ", report.failures()));
    }
    if (report.manifestSha256() == null || !report.manifestSha256().equals(registry.manifestSha256(version))) {
      throw GlmpipeException.modelRejected("the evaluation of version " + version + " was made for a different manifest"
          + " (sha256 " + report.manifestSha256() + "): run evaluate again");
    }
    String evaluatedAgainst = report.gate() == null ? null : report.gate().championVersion();
    String champion = registry.alias(ModelRegistry.CHAMPION).map(ModelRegistry.Alias::version).orElse(null);
    if (!Objects.equals(champion, version) && !Objects.equals(evaluatedAgainst, champion)) {
      throw GlmpipeException.modelRejected("version " + version + " was compared with champion " + evaluatedAgainst
          + " but the champion is now " + champion + ": run evaluate again");
    }
    return report;
  }
}
