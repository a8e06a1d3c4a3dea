package dev.glmpipe.score;

import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.config.TableFormat;
import dev.glmpipe.io.CatalogPublishedTable;
import dev.glmpipe.io.DatedTable;
import dev.glmpipe.io.IcebergCatalog;
import dev.glmpipe.io.IcebergTable;
import dev.glmpipe.io.PartitionedTable;
import dev.glmpipe.runs.PipelineContext;
import java.time.Duration;

/**
 * Where a model's scores are, for writers and readers alike: with {@code score.table_format:
 * iceberg} the Iceberg table {@code <catalog>.<namespace>.scores_<model>} (or the table
 * {@code --table} names in that catalog), else the Parquet directory {@code scores/<model>}.
 * The ledger and the locks are always under that directory.
 */
public final class ScoresTables {
  private ScoresTables() {}

  public static boolean iceberg(GlmpipeConfig c) {
    return c.score().tableFormat() == TableFormat.ICEBERG;
  }

  /** The Iceberg table of {@code model}'s scores ({@code suffix}: "" or "_shadow"). */
  public static IcebergTable icebergTable(PipelineContext context, String catalogTable, String suffix) {
    IcebergCatalog catalog = IcebergCatalog.open(context.spark(), context.config().storage().iceberg(), context.layout());
    String model = context.config().model().name();
    return catalogTable != null && suffix.isEmpty() ? catalog.named(catalogTable)
        : catalog.table(IcebergCatalog.scoresName(model + suffix));
  }

  /** How a score run publishes the dates of the main (or shadow, {@code suffix}) table. */
  static ScoreTarget.Publishing publishing(PipelineContext context, String catalogTable, String suffix) {
    GlmpipeConfig c = context.config();
    if (iceberg(c)) {
      return new ScoreTarget.Iceberg(icebergTable(context, catalogTable, suffix));
    }
    if (catalogTable != null && suffix.isEmpty()) {
      PartitionedTable dirs = new PartitionedTable(context.spark(), context.layout().scores(c.model().name()));
      return new ScoreTarget.Catalog(new CatalogPublishedTable(context.spark(), dirs, catalogTable),
          Duration.ofMinutes(c.score().replacedRunsGraceMinutes()));
    }
    return new ScoreTarget.Swap();
  }

  /**
   * A model's scores as readers see them (monitor). {@code catalogTable}: the {@code --table} the
   * scores were written to, for Iceberg; Parquet readers need none (the ledger names each date's
   * directory).
   */
  public static DatedTable reader(PipelineContext context, String model, String catalogTable) {
    if (iceberg(context.config())) {
      return icebergTable(context, catalogTable, "");
    }
    return new ScoresDirectory(context.spark(), context.layout().scores(model));
  }
}
