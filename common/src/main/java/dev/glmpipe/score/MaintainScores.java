package dev.glmpipe.score;

import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.config.TableFormat;
import dev.glmpipe.io.CatalogPublishedTable;
import dev.glmpipe.io.IcebergCatalog;
import dev.glmpipe.io.IcebergMaintenance;
import dev.glmpipe.io.IcebergTable;
import dev.glmpipe.io.PartitionedTable;
import dev.glmpipe.runs.PipelineContext;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.Path;

/**
 * The maintain operation for a model's scores and monitoring: each Iceberg table of the model
 * (the scores table and its shadow when there is one, the monitoring table when
 * {@code monitor.table_format} is iceberg) compacted and its old snapshots expired
 * ({@link IcebergMaintenance});
 * with Parquet, the run directories that dates published through the catalog no longer point at
 * removed once replaced longer ago than {@code score.replaced_runs_grace_minutes}.
 *
 * <pre>MaintainScores.of(context).catalogTable("db.scores").execute()</pre>
 */
public final class MaintainScores {
  private final PipelineContext context;
  private String catalogTable;

  private MaintainScores(PipelineContext context) {
    this.context = context;
  }

  public static MaintainScores of(PipelineContext context) {
    return new MaintainScores(context);
  }

  /** The {@code --table} the scores are published in (Iceberg: the table's name in the catalog). */
  public MaintainScores catalogTable(String table) {
    this.catalogTable = table;
    return this;
  }

  public record Result(String job, String model, String tableFormat, List<IcebergMaintenance.Result> tables,
      List<String> removedDirectories) {}

  public Result execute() {
    GlmpipeConfig c = context.config();
    String model = c.model().name();
    List<IcebergMaintenance.Result> maintained = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    List<IcebergTable> icebergTables = new ArrayList<>();
    if (ScoresTables.iceberg(c)) {
      for (String suffix : List.of("", "_shadow")) {
        icebergTables.add(ScoresTables.icebergTable(context, catalogTable, suffix));
      }
    }
    if (c.monitoringFormat() == TableFormat.ICEBERG) {
      icebergTables.add(IcebergCatalog.open(context.spark(), c.storage().iceberg(), context.layout())
          .table(IcebergCatalog.monitoringName(model)));
    }
    IcebergMaintenance maintenance = icebergTables.isEmpty() ? null
        : IcebergMaintenance.of(context.spark(), c.storage().iceberg().maintenance());
    for (IcebergTable table : icebergTables) {
      if (table.exists()) {
        context.describe("maintain", "maintain", "maintain " + table);
        maintained.add(maintenance.execute(table));
      }
    }
    if (!ScoresTables.iceberg(c)) {
      PartitionedTable dirs = new PartitionedTable(context.spark(), context.layout().scores(model));
      ScoringLedger ledger = new ScoringLedger(context.hadoop(), dirs.root());
      CatalogPublishedTable published = new CatalogPublishedTable(context.spark(), dirs, catalogTable);
      Duration grace = Duration.ofMinutes(c.score().replacedRunsGraceMinutes());
      long now = System.currentTimeMillis();
      for (LocalDate dt : dirs.partitionDates()) {
        List<Path> keep = new ArrayList<>();
        keep.add(ledger.latest(dt).map(ScoringLedger.Entry::location).map(Path::new).orElse(dirs.partition(dt)));
        if (catalogTable != null) {
          published.location(dt).map(Path::new).ifPresent(keep::add);
        }
        published.removeReplaced(dt, keep, grace, now).forEach(p -> removed.add(p.toString()));
      }
    }
    return new Result("maintain", model, c.score().tableFormat().name().toLowerCase(java.util.Locale.ROOT), maintained, removed);
  }
}
