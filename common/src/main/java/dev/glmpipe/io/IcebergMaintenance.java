package dev.glmpipe.io;

import dev.glmpipe.config.IcebergConfig;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.Table;
import org.apache.iceberg.actions.DeleteOrphanFiles;
import org.apache.iceberg.actions.ExpireSnapshots;
import org.apache.iceberg.actions.RewriteDataFiles;
import org.apache.iceberg.spark.actions.SparkActions;
import org.apache.spark.sql.SparkSession;

/**
 * What a daily writer's Iceberg table needs, with Iceberg's own Spark actions: small files of a
 * date rewritten into larger ones ({@code rewriteDataFiles}), snapshots older than
 * {@code expire_after_days} expired (keeping the newest {@code retain_last}) with the files only
 * they referenced, and files no snapshot ever referenced (a killed write's) deleted once they
 * are as old.
 *
 * <pre>IcebergMaintenance.of(spark, config).execute(table)</pre>
 */
public final class IcebergMaintenance {
  private final SparkSession spark;
  private final IcebergConfig.Maintenance config;
  private final long now;

  private IcebergMaintenance(SparkSession spark, IcebergConfig.Maintenance config, long now) {
    this.spark = spark;
    this.config = config;
    this.now = now;
  }

  public static IcebergMaintenance of(SparkSession spark, IcebergConfig.Maintenance config) {
    return new IcebergMaintenance(spark, config, System.currentTimeMillis());
  }

  /** As if it were {@code nowMillis} (tests). */
  public IcebergMaintenance at(long nowMillis) {
    return new IcebergMaintenance(spark, config, nowMillis);
  }

  public record Result(String table, long snapshotsBefore, long snapshotsAfter, long rewrittenDataFiles,
      long addedDataFiles, long expiredDataFiles, long orphanFilesDeleted) {}

  public Result execute(IcebergTable target) {
    Table table = target.icebergTable();
    long before = count(table);
    RewriteDataFiles.Result rewritten = SparkActions.get(spark).rewriteDataFiles(table)
        .option("target-file-size-bytes", Long.toString(config.targetFileSizeMb() * 1024L * 1024L))
        .option("min-input-files", Integer.toString(config.minInputFiles()))
        .execute();
    long olderThan = now - TimeUnit.DAYS.toMillis(config.expireAfterDays());
    ExpireSnapshots.Result expired = SparkActions.get(spark).expireSnapshots(table)
        .expireOlderThan(olderThan).retainLast(config.retainLast()).execute();
    DeleteOrphanFiles.Result orphans = SparkActions.get(spark).deleteOrphanFiles(table).olderThan(olderThan).execute();
    long orphanCount = 0;
    for (Object ignored : orphans.orphanFileLocations()) {
      orphanCount++;
    }
    table.refresh();
    return new Result(target.toString(), before, count(table), rewritten.rewrittenDataFilesCount(),
        rewritten.addedDataFilesCount(), expired.deletedDataFilesCount(), orphanCount);
  }

  private static long count(Table table) {
    long n = 0;
    for (Object ignored : table.snapshots()) {
      n++;
    }
    return n;
  }
}
