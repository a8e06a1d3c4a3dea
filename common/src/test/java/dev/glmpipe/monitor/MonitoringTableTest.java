package dev.glmpipe.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glmpipe.testing.SharedSpark;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The monitoring table stamps each row with its run, and still reads partitions written before it did. */
class MonitoringTableTest {
  private static final LocalDate OLD = LocalDate.parse("2026-11-01");
  private static final LocalDate NEW = LocalDate.parse("2026-11-02");

  @TempDir Path tmp;

  private final SparkSession spark = SharedSpark.get();

  @Test
  void aPartitionWithoutTheRunIdColumnReadsWithNoRunIdBesideOnesWithIt() {
    MonitoringTable table = new MonitoringTable(spark, new org.apache.hadoop.fs.Path(tmp.toUri()));
    // A partition as written before run_id existed: every column but the last.
    StructType before = new StructType(java.util.Arrays.stream(MonitoringRow.SCHEMA.fields())
        .filter(f -> !f.name().equals("run_id")).toArray(StructField[]::new));
    Row old = RowFactory.create("churn", "v1", MonitoringRow.DATA_QUALITY, null, "rows", 10.0, null, null, null, null, 10L,
        null, "2026-11-02T03:00:00Z");
    spark.createDataFrame(List.of(old), before).coalesce(1).write().parquet(table.name() + "/dt=" + OLD);
    table.replace(NEW, List.of(new MonitoringRow(NEW.toString(), "churn", "v1", MonitoringRow.DATA_QUALITY, null, "rows", 12.0,
        null, null, null, null, 12, null, "2026-11-03T03:00:00Z", "monitor-1")));

    assertThat(table.rows(OLD)).singleElement().satisfies(r -> {
      assertThat(r.runId()).isNull();
      assertThat(r.value()).isEqualTo(10.0);
      assertThat(r.computedAt()).isEqualTo("2026-11-02T03:00:00Z");
    });
    assertThat(table.rows(NEW)).singleElement().satisfies(r -> assertThat(r.runId()).isEqualTo("monitor-1"));
    assertThat(table.all()).extracting(MonitoringRow::dt, MonitoringRow::runId)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(OLD.toString(), null),
            org.assertj.core.groups.Tuple.tuple(NEW.toString(), "monitor-1"));
  }
}
