package dev.glmpipe.score;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glmpipe.io.PartitionContract;
import dev.glmpipe.io.PartitionedTable;
import dev.glmpipe.registry.ModelManifest.SchemaField;
import dev.glmpipe.testing.SharedSpark;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputSchemaCheckTest {
  private static final List<SchemaField> READS = List.of(
      new SchemaField("tenure_months", "int", true), new SchemaField("plan", "string", true));

  @TempDir Path tmp;

  @Test
  void aPartitionWithEveryColumnOfTheSameTypeFits() {
    assertThat(InputSchemaCheck.problems(READS, Map.of("tenure_months", "int", "plan", "string", "other", "double")))
        .isEmpty();
  }

  @Test
  void aMissingOrRetypedColumnIsNamed() {
    assertThat(InputSchemaCheck.problems(READS, Map.of("tenure_months", "double")))
        .containsExactly("column 'tenure_months' is double, the model reads int",
            "column 'plan' is missing (the model reads it as string)");
  }

  @Test
  void theMessageIsOneLineNamingEveryDateAndColumn() {
    Map<LocalDate, List<String>> problems = new LinkedHashMap<>();
    problems.put(LocalDate.parse("2026-11-02"), List.of("column 'plan' is missing (the model reads it as string)"));
    problems.put(LocalDate.parse("2026-11-03"), List.of("column 'tenure_months' is double, the model reads int"));
    String m = InputSchemaCheck.message("churn version v1", problems);
    assertThat(m).doesNotContain("\n")
        .contains("dt=2026-11-02: column 'plan' is missing")
        .contains("dt=2026-11-03: column 'tenure_months' is double, the model reads int")
        .contains("nothing was scored");
  }

  @Test
  void typesComeFromTheRecordedContractOrForOlderPartitionsFromParquet() {
    SparkSession spark = SharedSpark.get();
    PartitionedTable table = new PartitionedTable(spark, new org.apache.hadoop.fs.Path(tmp.resolve("features").toUri()));
    LocalDate recorded = LocalDate.parse("2026-11-01");
    LocalDate legacy = LocalDate.parse("2026-11-02");
    var rows = spark.sql("SELECT CAST(3 AS INT) AS tenure_months, 'basic' AS plan");

    org.apache.hadoop.fs.Path staging = table.stagingPath(recorded);
    table.writeStaged(rows, staging, Map.of());
    PartitionContract contract = new PartitionContract("sha256:" + "0".repeat(64),
        List.of(new PartitionContract.Column("tenure_months", "double", false), new PartitionContract.Column("plan", "string", false)),
        Map.of());
    table.writeContract(staging, contract);
    table.swapIn(staging, recorded);

    org.apache.hadoop.fs.Path old = table.stagingPath(legacy);
    table.writeStaged(rows, old, Map.of());
    table.swapIn(old, legacy);

    assertThat(table.contract(recorded)).contains(contract);
    assertThat(table.contract(legacy)).isEmpty();
    // The record is beside the rows, invisible to readers of the table.
    assertThat(table.read(List.of(recorded)).columns()).containsExactly("tenure_months", "plan", "dt");
    assertThat(InputSchemaCheck.partitionTypes(table, recorded)).containsEntry("tenure_months", "double");
    assertThat(InputSchemaCheck.partitionTypes(table, legacy)).containsExactly(Map.entry("tenure_months", "int"),
        Map.entry("plan", "string"));
    assertThat(table.contracts(List.of(recorded, legacy, recorded.minusDays(0))))
        .containsExactly(new PartitionContract.Use(contract.sha256(), List.of("2026-11-01", "2026-11-01")),
            new PartitionContract.Use(null, List.of("2026-11-02")));
  }
}
