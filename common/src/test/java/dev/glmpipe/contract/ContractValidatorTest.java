package dev.glmpipe.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.config.DatasetConfig.ColumnContract;
import dev.glmpipe.config.DatasetConfig.ColumnType;
import dev.glmpipe.config.DatasetConfig.ContractConfig;
import dev.glmpipe.config.DatasetConfig.CsvConfig;
import dev.glmpipe.config.DatasetConfig.InputConfig;
import dev.glmpipe.config.DatasetConfig.InputFormat;
import dev.glmpipe.io.RawInput;
import dev.glmpipe.testing.SharedSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContractValidatorTest {
  private final SparkSession spark = SharedSpark.get();

  private static final ContractConfig CONTRACT = new ContractConfig(List.of(
      new ColumnContract("id", ColumnType.STRING, false, null, null, null, "[A-Z][0-9]+", null),
      new ColumnContract("n", ColumnType.INTEGER, false, 0.0, 10.0, null, null, null),
      new ColumnContract("x", ColumnType.DOUBLE, true, null, null, null, null, null),
      new ColumnContract("c", ColumnType.STRING, true, null, null, List.of("a", "b"), null, null),
      new ColumnContract("flag", ColumnType.BOOLEAN, true, null, null, null, null, null),
      new ColumnContract("ts", ColumnType.TIMESTAMP, true, null, null, null, null, null)), 0.1);

  private static final InputConfig CSV = new InputConfig(InputFormat.CSV, new CsvConfig(true, ",", "\"", "UTF-8"));

  @TempDir Path tmp;

  private Dataset<Row> read(String... lines) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("dt=2026-11-01"));
    Files.write(dir.resolve("part.csv"), List.of(lines));
    return RawInput.read(spark, new org.apache.hadoop.fs.Path(dir.toUri()), CSV);
  }

  private Map<String, List<String>> reasonsById(Dataset<Row> quarantined) {
    Map<String, List<String>> out = new HashMap<>();
    for (Row r : quarantined.collectAsList()) {
      String key = r.getAs("raw_record") != null ? "<malformed>" : String.valueOf((Object) r.getAs("id"));
      out.put(key, r.getList(r.fieldIndex("reasons")));
    }
    return out;
  }

  @Test
  void everyRuleProducesItsReasonCodeAndEveryRowLandsOnce() throws IOException {
    Dataset<Row> raw = read(
        "id,n,x,c,flag,ts,extra",
        "A1,5,1.5,a,true,2026-11-01 10:00:00,e",
        ",5,1.5,a,true,2026-11-01 10:00:00,e",
        "A2,five,1.5,a,true,2026-11-01 10:00:00,e",
        "A3,11,1.5,a,true,2026-11-01 10:00:00,e",
        "A4,5,1.5,z,true,2026-11-01 10:00:00,e",
        "bad,5,1.5,a,true,2026-11-01 10:00:00,e",
        "A5,5",
        "A6,-1,NaN,z,maybe,yesterday,e",
        "A7,0,,,,,");
    ContractValidator validator = new ContractValidator(CONTRACT);
    ContractValidator.ColumnCheck columns = validator.checkColumns(raw.columns(), "test");
    Dataset<Row> checked = validator.validate(raw).cache();

    Map<String, List<String>> reasons = reasonsById(validator.quarantined(checked));
    assertThat(reasons).containsOnlyKeys("null", "A2", "A3", "A4", "bad", "<malformed>", "A6");
    assertThat(reasons.get("null")).containsExactly("MISSING_REQUIRED:id");
    assertThat(reasons.get("A2")).containsExactly("TYPE_MISMATCH:n");
    assertThat(reasons.get("A3")).containsExactly("OUT_OF_RANGE:n");
    assertThat(reasons.get("A4")).containsExactly("NOT_ALLOWED_VALUE:c");
    assertThat(reasons.get("bad")).containsExactly("NOT_ALLOWED_VALUE:id");
    assertThat(reasons.get("<malformed>")).containsExactly("MALFORMED_RECORD");
    assertThat(reasons.get("A6")).containsExactlyInAnyOrder(
        "OUT_OF_RANGE:n", "TYPE_MISMATCH:x", "NOT_ALLOWED_VALUE:c", "TYPE_MISMATCH:flag", "TYPE_MISMATCH:ts");

    List<Row> valid = validator.valid(checked).collectAsList();
    assertThat(valid).extracting(r -> r.getString(0)).containsExactlyInAnyOrder("A1", "A7");
    assertThat(validator.valid(checked).schema().fieldNames()).containsExactly("id", "n", "x", "c", "flag", "ts");

    ContractReport report = validator.report(checked, columns);
    assertThat(report.inputRows()).isEqualTo(9);
    assertThat(report.validRows() + report.quarantinedRows()).isEqualTo(report.inputRows());
    assertThat(validator.valid(checked).count() + validator.quarantined(checked).count()).isEqualTo(report.inputRows());
    assertThat(report.rowsByReason()).containsEntry("MISSING_REQUIRED", 1L).containsEntry("TYPE_MISMATCH", 2L)
        .containsEntry("OUT_OF_RANGE", 2L).containsEntry("NOT_ALLOWED_VALUE", 3L).containsEntry("MALFORMED_RECORD", 1L);
    assertThat(report.extraColumns()).containsExactly("extra");
  }

  @Test
  void quarantinedRowsKeepTheirOriginalTextAndFile() throws IOException {
    Dataset<Row> raw = read("id,n,x,c,flag,ts", "A2, five ,1.5,a,true,2026-11-01 10:00:00");
    ContractValidator validator = new ContractValidator(CONTRACT);
    Row q = validator.quarantined(validator.validate(raw)).first();
    assertThat((String) q.getAs("n")).isEqualTo(" five ");
    assertThat((String) q.getAs("source_file")).endsWith("part.csv");
    assertThat((String) q.getAs("reason")).isEqualTo("TYPE_MISMATCH");
  }

  @Test
  void missingRequiredColumnFailsNamingIt() throws IOException {
    Dataset<Row> raw = read("id,x,c", "A1,1.5,a");
    assertThatThrownBy(() -> new ContractValidator(CONTRACT).checkColumns(raw.columns(), "raw/dt=2026-11-01"))
        .isInstanceOf(GlmpipeException.class)
        .hasMessage("required column n missing from raw/dt=2026-11-01")
        .satisfies(e -> assertThat(((GlmpipeException) e).exitCode()).isEqualTo(3));
  }

  @Test
  void missingNullableColumnReadsAsNull() throws IOException {
    Dataset<Row> raw = read("id,n", "A1,3");
    ContractValidator validator = new ContractValidator(CONTRACT);
    assertThat(validator.checkColumns(raw.columns(), "t").missingOptional()).containsExactly("x", "c", "flag", "ts");
    Row row = validator.valid(validator.validate(raw)).first();
    assertThat(row.isNullAt(2)).isTrue();
  }

  @Test
  void missingPartitionIsADataContractError() {
    assertThatThrownBy(() -> RawInput.read(spark, new org.apache.hadoop.fs.Path(tmp.resolve("dt=2020-01-01").toUri()), CSV))
        .isInstanceOf(GlmpipeException.class)
        .hasMessageStartingWith("raw input partition not found: ");
  }
}
