package dev.glmpipe.jobs;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.runs.PipelineContext;
import dev.glmpipe.score.MaintainScores;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code glmpipe maintain}: see {@link MaintainScores}. */
@Command(name = "maintain", description = "Table upkeep for the scores and monitoring: Iceberg tables compacted and old snapshots"
    + " expired; Parquet dates published through the catalog rid of replaced run directories after the grace period.")
final class MaintainJob extends JobCommand<String> {
  @Option(names = "--table", paramLabel = "DB.TABLE", description = "The catalog table score --table wrote to, if any.")
  String table;

  @Override
  protected String options(GlmpipeConfig config) {
    if (table != null && !table.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?")) {
      throw GlmpipeException.usage("--table must be a name like db.scores, not '" + table + "'");
    }
    return table == null ? "" : table;
  }

  @Override
  protected Object run(PipelineContext context, String table) {
    return MaintainScores.of(context).catalogTable(table.isEmpty() ? null : table).execute();
  }
}
