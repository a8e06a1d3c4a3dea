package dev.glmpipe.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.config.DatasetConfig;
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
      new ColumnContract("ts", ColumnType.TIMESTAMP, true, null, null, null, null, null)), 0.1, null);

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
  void wholeNumbersBooleansAndFormattedDatesParseStrictly() throws IOException {
    ContractConfig contract = new ContractConfig(List.of(
        new ColumnContract("id", ColumnType.STRING, false, null, null, null, null, null),
        new ColumnContract("n", ColumnType.INTEGER, true, null, null, null, null, null),
        new ColumnContract("flag", ColumnType.BOOLEAN, true, null, null, null, null, null),
        new ColumnContract("d", ColumnType.DATE, true, null, null, null, null, "yyyy-MM-dd")), 0.1, null);
    Dataset<Row> raw = read("id,n,flag,d",
        "ok,+7,TRUE,2026-11-07", "ok0,-3,0,2026-01-31",
        "frac,1.5,true,2026-11-07", "yes,1,yes,2026-11-07", "short,1,true,2026-11-7", "bad,1,true,2026-02-30");
    ContractValidator validator = new ContractValidator(contract);
    Dataset<Row> checked = validator.validate(raw);
    assertThat(reasonsById(validator.quarantined(checked))).containsOnly(
        Map.entry("frac", List.of("TYPE_MISMATCH:n")), Map.entry("yes", List.of("TYPE_MISMATCH:flag")),
        Map.entry("short", List.of("TYPE_MISMATCH:d")), Map.entry("bad", List.of("TYPE_MISMATCH:d")));
    List<Row> valid = validator.valid(checked).orderBy("id").collectAsList();
    assertThat(valid).extracting(r -> r.getInt(1)).containsExactly(7, -3);
    assertThat(valid).extracting(r -> r.getBoolean(2)).containsExactly(true, false);
  }

  @Test
  void filesWhoseHeadersDisagreeFailNamingTheFile() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("headers/dt=2026-11-01"));
    Files.write(dir.resolve("a.csv"), List.of("id,n", "A1,1"));
    Files.write(dir.resolve("b.csv"), List.of("n,id", "2,A2"));
    assertThatThrownBy(() -> checkAll(dir))
        .isInstanceOf(GlmpipeException.class)
        .hasMessageContaining("cannot read input file ")
        .hasMessageContaining("b.csv")
        .hasMessageContaining("CSV header does not conform to the schema.; Header: n, id; Schema: id, n")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"))
        .satisfies(e -> assertThat(((GlmpipeException) e).exitCode()).isEqualTo(3));
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

  private static ContractConfig withUnique(DatasetConfig.Keep keep) {
    return new ContractConfig(CONTRACT.columns(), 0.1,
        new DatasetConfig.UniqueKey(List.of("id"), keep, keep == DatasetConfig.Keep.NONE ? null : "ts"));
  }

  private Map<String, List<String>> duplicatesOutcome(DatasetConfig.Keep keep) throws IOException {
    Dataset<Row> raw = read(
        "id,n,x,c,flag,ts",
        "A1,1,1.0,a,true,2026-11-01 10:00:00",
        "A1,2,1.0,a,true,2026-11-01 12:00:00",
        "A1,3,1.0,a,true,2026-11-01 11:00:00",
        "A1,4,1.0,z,true,2026-11-01 23:00:00",
        "B1,5,1.0,a,true,2026-11-01 09:00:00");
    ContractValidator validator = new ContractValidator(withUnique(keep));
    Dataset<Row> checked = validator.validate(raw);
    Map<String, List<String>> out = new HashMap<>();
    for (Row r : validator.valid(checked).collectAsList()) {
      out.put(r.getString(0) + "/" + r.getInt(1), List.of("valid"));
    }
    for (Row r : validator.quarantined(checked).collectAsList()) {
      out.put(r.getString(0) + "/" + r.getString(1), r.getList(r.fieldIndex("reasons")));
    }
    return out;
  }

  @Test
  void duplicateKeysKeepTheLatestValidRow() throws IOException {
    Map<String, List<String>> out = duplicatesOutcome(DatasetConfig.Keep.LATEST);
    assertThat(out).containsEntry("A1/2", List.of("valid"))       // 12:00 is the latest valid row
        .containsEntry("A1/1", List.of("DUPLICATE_KEY:id"))
        .containsEntry("A1/3", List.of("DUPLICATE_KEY:id"))
        .containsEntry("A1/4", List.of("NOT_ALLOWED_VALUE:c"))    // invalid rows never win
        .containsEntry("B1/5", List.of("valid"))
        .hasSize(5);
  }

  @Test
  void duplicateKeysKeepTheEarliestOrNone() throws IOException {
    assertThat(duplicatesOutcome(DatasetConfig.Keep.EARLIEST)).containsEntry("A1/1", List.of("valid"))
        .containsEntry("A1/2", List.of("DUPLICATE_KEY:id")).containsEntry("A1/3", List.of("DUPLICATE_KEY:id"));
    assertThat(duplicatesOutcome(DatasetConfig.Keep.NONE)).containsEntry("A1/1", List.of("DUPLICATE_KEY:id"))
        .containsEntry("A1/2", List.of("DUPLICATE_KEY:id")).containsEntry("B1/5", List.of("valid"));
  }

  @Test
  void exactDuplicatesKeepOneRowOnEveryRun() throws IOException {
    Dataset<Row> raw = read("id,n,x,c,flag,ts", "A1,1,1.0,a,true,2026-11-01 10:00:00", "A1,1,1.0,a,true,2026-11-01 10:00:00");
    ContractValidator validator = new ContractValidator(withUnique(DatasetConfig.Keep.LATEST));
    ContractReport report = validator.report(validator.validate(raw), new ContractValidator.ColumnCheck(List.of(), List.of()));
    assertThat(report.validRows()).isEqualTo(1);
    assertThat(report.rowsByReason()).containsEntry("DUPLICATE_KEY", 1L);
  }

  /**
   * Values that overflow their type or do not parse are quarantined rows in both ANSI modes:
   * under ANSI mode (Spark 4's default) a plain cast of them would throw and fail the job.
   */
  @org.junit.jupiter.params.ParameterizedTest(name = "spark.sql.ansi.enabled={0}")
  @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
  void overflowsAndBadValuesAreQuarantinedWithAnsiModeOnOrOff(boolean ansi) throws Exception {
    ContractConfig contract = new ContractConfig(List.of(
        new ColumnContract("id", ColumnType.STRING, false, null, null, null, null, null),
        new ColumnContract("n", ColumnType.INTEGER, true, null, null, null, null, null),
        new ColumnContract("l", ColumnType.LONG, true, null, null, null, null, null),
        new ColumnContract("x", ColumnType.DOUBLE, true, null, null, null, null, null),
        new ColumnContract("d", ColumnType.DATE, true, null, null, null, null, null),
        new ColumnContract("ts", ColumnType.TIMESTAMP, true, null, null, null, null, null)), 0.1, null);
    Dataset<Row> raw = read("id,n,l,x,d,ts",
        "ok,2147483647,9223372036854775807,1e308,2026-11-07,2026-11-07 10:00:00",
        "intover,2147483648,1,1,2026-11-07,2026-11-07 10:00:00",
        "longover,1,9223372036854775808,1,2026-11-07,2026-11-07 10:00:00",
        "dblover,1,1,1e309,2026-11-07,2026-11-07 10:00:00",
        "baddate,1,1,1,2026-13-45,2026-11-07 25:61:00",
        "text,one,one,one,one,one");
    ContractValidator validator = new ContractValidator(contract);
    Map<String, List<String>> reasons = dev.glmpipe.testing.AnsiMode.with(spark, ansi,
        () -> reasonsById(validator.quarantined(validator.validate(raw))));
    assertThat(reasons).containsOnly(
        Map.entry("intover", List.of("TYPE_MISMATCH:n")), Map.entry("longover", List.of("TYPE_MISMATCH:l")),
        Map.entry("dblover", List.of("TYPE_MISMATCH:x")), Map.entry("baddate", List.of("TYPE_MISMATCH:d", "TYPE_MISMATCH:ts")),
        Map.entry("text", List.of("TYPE_MISMATCH:n", "TYPE_MISMATCH:l", "TYPE_MISMATCH:x", "TYPE_MISMATCH:d", "TYPE_MISMATCH:ts")));
    // Typed Parquet whose type changed to a wider one: a value that does not fit is a row too.
    Path dir = tmp.resolve("wide/dt=2026-11-01");
    spark.sql("SELECT 'A1' AS id, 7L AS n UNION ALL SELECT 'A2', 1099511627776L").write().parquet(dir.toString());
    ContractValidator ints = new ContractValidator(CONTRACT);
    Dataset<Row> wide = RawInput.read(spark, new org.apache.hadoop.fs.Path(dir.toUri()), new InputConfig(InputFormat.PARQUET, CSV.csv()));
    Map<String, List<String>> wideReasons = dev.glmpipe.testing.AnsiMode.with(spark, ansi,
        () -> reasonsById(ints.quarantined(ints.validate(wide))));
    assertThat(wideReasons).containsOnlyKeys("A2");
    assertThat(wideReasons.get("A2")).contains("TYPE_MISMATCH:n");
  }

  @Test
  void typedParquetInputIsCheckedWithoutATextRoundTrip() throws IOException {
    Path dir = tmp.resolve("parquet/dt=2026-11-01");
    spark.sql("SELECT * FROM VALUES ('A1', 5, 1.5D, 'a', true, TIMESTAMP'2026-11-01 10:00:00'), "
            + "('A2', 50, double('NaN'), 'a', true, TIMESTAMP'2026-11-01 10:00:00'), "
            + "('A3', 1, 2.0D, 'a', true, TIMESTAMP'2026-11-01 10:00:00') AS t(id, n, x, c, flag, ts)")
        .withColumn("n", org.apache.spark.sql.functions.when(org.apache.spark.sql.functions.col("id").equalTo("A3"),
            org.apache.spark.sql.functions.lit(null)).otherwise(org.apache.spark.sql.functions.col("n")))
        .write().parquet(dir.toString());
    InputConfig parquet = new InputConfig(InputFormat.PARQUET, CSV.csv());
    ContractValidator validator = new ContractValidator(CONTRACT);
    Dataset<Row> checked = validator.validate(RawInput.read(spark, new org.apache.hadoop.fs.Path(dir.toUri()), parquet));
    assertThat(checked.columns()).doesNotContain("_raw_n", "_raw_x", "_raw_ts");
    Map<String, List<String>> reasons = reasonsById(validator.quarantined(checked));
    assertThat(reasons).containsOnlyKeys("A2", "A3");
    assertThat(reasons.get("A2")).containsExactlyInAnyOrder("OUT_OF_RANGE:n", "TYPE_MISMATCH:x");
    assertThat(reasons.get("A3")).containsExactly("MISSING_REQUIRED:n");
    assertThat(validator.valid(checked).first().getDouble(2)).isEqualTo(1.5);
  }

  @Test
  void changedTypeInParquetShowsUpAsTypeMismatchRows() throws IOException {
    Path dir = tmp.resolve("drift/dt=2026-11-01");
    spark.sql("SELECT 'A1' AS id, '7' AS n UNION ALL SELECT 'A2', 'seven'").write().parquet(dir.toString());
    InputConfig parquet = new InputConfig(InputFormat.PARQUET, CSV.csv());
    ContractValidator validator = new ContractValidator(CONTRACT);
    Dataset<Row> checked = validator.validate(RawInput.read(spark, new org.apache.hadoop.fs.Path(dir.toUri()), parquet));
    assertThat(reasonsById(validator.quarantined(checked))).containsOnlyKeys("A2");
    assertThat(validator.valid(checked).first().getInt(1)).isEqualTo(7);
  }

  @Test
  void jsonLinesInput() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("json/dt=2026-11-01"));
    Files.write(dir.resolve("part.json"), List.of(
        "{\"id\": \"A1\", \"n\": 3, \"c\": \"b\", \"flag\": false}",
        "{\"id\": \"A2\", \"n\": \"x\"}",
        "{not json"));
    InputConfig json = new InputConfig(InputFormat.JSON, CSV.csv());
    ContractValidator validator = new ContractValidator(CONTRACT);
    Dataset<Row> checked = validator.validate(RawInput.read(spark, new org.apache.hadoop.fs.Path(dir.toUri()), json));
    Map<String, List<String>> reasons = reasonsById(validator.quarantined(checked));
    assertThat(reasons).containsOnlyKeys("A2", "<malformed>");
    assertThat(reasons.get("A2")).containsExactly("TYPE_MISMATCH:n");
    assertThat(validator.valid(checked).count()).isEqualTo(1);
  }

  @Test
  void aPatternMatchesTheWholeValueLineBreaksIncluded() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("linebreak/dt=2026-11-01"));
    Files.write(dir.resolve("part.json"), List.of("{\"id\": \"A1\", \"n\": 1}", "{\"id\": \"A2\\n\", \"n\": 2}",
        "{\"id\": \"A3\\r\\n\", \"n\": 3}", "{\"id\": \"\\nA4\", \"n\": 4}"));
    InputConfig json = new InputConfig(InputFormat.JSON, CSV.csv());
    ContractValidator validator = new ContractValidator(CONTRACT);
    Dataset<Row> checked = validator.validate(RawInput.read(spark, new org.apache.hadoop.fs.Path(dir.toUri()), json));

    assertThat(validator.valid(checked).collectAsList()).extracting(r -> r.getString(0)).containsExactly("A1");
    assertThat(validator.quarantined(checked).collectAsList()).extracting(r -> r.<String>getAs("reason"))
        .containsExactly("NOT_ALLOWED_VALUE", "NOT_ALLOWED_VALUE", "NOT_ALLOWED_VALUE");
  }

  @Test
  void unreadableFileFailsNamingTheFile() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("gz/dt=2026-11-01"));
    Files.write(dir.resolve("broken.csv.gz"), "this is not gzip".getBytes());
    assertThatThrownBy(() -> checkAll(dir))
        .isInstanceOf(GlmpipeException.class)
        .hasMessageContaining("cannot read input file ")
        .hasMessageContaining("broken.csv.gz")
        .satisfies(e -> assertThat(((GlmpipeException) e).exitCode()).isEqualTo(3));
  }

  /** Reads and checks every row of a partition, as preprocess does. */
  private ContractReport checkAll(Path dir) {
    ContractValidator validator = new ContractValidator(CONTRACT);
    return RawInput.reading(() -> {
      Dataset<Row> raw = RawInput.read(spark, new org.apache.hadoop.fs.Path(dir.toUri()), CSV);
      return validator.report(validator.validate(raw), new ContractValidator.ColumnCheck(List.of(), List.of()));
    });
  }

  @Test
  void missingPartitionIsADataContractError() {
    assertThatThrownBy(() -> RawInput.read(spark, new org.apache.hadoop.fs.Path(tmp.resolve("dt=2020-01-01").toUri()), CSV))
        .isInstanceOf(GlmpipeException.class)
        .hasMessageStartingWith("raw input partition not found: ");
  }
}
