package dev.glmpipe.jobs;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.io.DateRange;
import dev.glmpipe.registry.VersionId;
import dev.glmpipe.runs.PipelineContext;
import dev.glmpipe.score.ScoreDates;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code glmpipe score}: see {@link ScoreDates}. */
@Command(name = "score", description = "Score feature partitions with the champion model.")
final class ScoreJob extends JobCommand<DateRange> {
  @Mixin DateOptions dates;

  @Option(names = "--new", description = "Score every committed feature partition the scoring ledger has not seen scored"
      + " (never scored, or preprocessed again since).")
  boolean newOnly;

  @Option(names = "--rescore", description = "With --new: also rescore partitions scored by a version other than the champion.")
  boolean rescore;

  @Option(names = "--shadow", paramLabel = "VERSION", description = "Also score with this model version (or alias) into"
      + " scores/<model>_shadow, for side-by-side comparison.")
  String shadow;

  @Option(names = "--table", paramLabel = "DB.TABLE", description = "Create this catalog table over the scores table if"
      + " needed and add each scored partition to it.")
  String table;

  /** The dates to score, or null with {@code --new}. */
  @Override
  protected DateRange options(GlmpipeConfig config) {
    if (rescore && !newOnly) {
      throw GlmpipeException.usage("--rescore goes with --new (dates given with --dt/--from/--to are always rescored)");
    }
    VersionId.requireVersionOrAlias("--shadow", shadow);
    if (table != null && !table.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?")) {
      throw GlmpipeException.usage("--table must be a name like db.scores, not '" + table + "'");
    }
    if (newOnly && (dates.dt != null || dates.from != null || dates.to != null)) {
      throw GlmpipeException.usage("give either --new or dates (--dt, --from/--to), not both");
    }
    return newOnly ? null : dates.range();
  }

  @Override
  protected Object run(PipelineContext context, DateRange range) {
    ScoreDates score = ScoreDates.of(context).shadow(shadow).catalogTable(table);
    return (range == null ? score.newOnly(rescore) : score.dates(range)).execute();
  }
}
