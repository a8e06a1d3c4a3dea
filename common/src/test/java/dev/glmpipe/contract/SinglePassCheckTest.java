package dev.glmpipe.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glmpipe.config.DatasetConfig.ColumnContract;
import dev.glmpipe.config.DatasetConfig.ColumnType;
import dev.glmpipe.config.DatasetConfig.ContractConfig;
import dev.glmpipe.config.DatasetConfig.CsvConfig;
import dev.glmpipe.config.DatasetConfig.InputConfig;
import dev.glmpipe.config.DatasetConfig.InputFormat;
import dev.glmpipe.config.DatasetConfig.Keep;
import dev.glmpipe.config.DatasetConfig.UniqueKey;
import dev.glmpipe.io.RawInput;
import dev.glmpipe.testing.SharedSpark;
import dev.glmpipe.testing.SparkJobs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.codegen.ByteCodeStats;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import scala.Tuple3;

/**
 * The single pass (key pre-pass, held-back rows ranked afterwards) must give exactly what the
 * one-plan implementation ({@link ContractValidator#validate}, which shuffles every row by key)
 * gives: the same valid rows, the same quarantine rows with the same reasons, the same counts.
 */
class SinglePassCheckTest {
  private final SparkSession spark = SharedSpark.get();

  private static final List<ColumnContract> COLUMNS = List.of(
      new ColumnContract("id", ColumnType.STRING, false, null, null, null, "K[0-9]+", null),
      new ColumnContract("n", ColumnType.INTEGER, false, 0.0, 100.0, null, null, null),
      new ColumnContract("ts", ColumnType.TIMESTAMP, false, null, null, null, null, null));
  private static final InputConfig CSV = new InputConfig(InputFormat.CSV, new CsvConfig(true, ",", "\"", "UTF-8"));

  @TempDir Path tmp;

  /**
   * Two files of generated rows where keys repeat within and across files: stale copies,
   * exact copies (same line twice), copies of which some break another rule, equal timestamps,
   * blank keys, and malformed lines.
   */
  private Dataset<Row> input(long seed) throws IOException {
    Random random = new Random(seed);
    Path dir = Files.createDirectories(tmp.resolve("raw-" + seed + "/dt=2026-11-01"));
    for (String file : List.of("a.csv", "b.csv")) {
      List<String> lines = new ArrayList<>(List.of("id,n,ts"));
      for (int i = 0; i < 400; i++) {
        String id = switch (random.nextInt(20)) {
          case 0 -> "";                                   // blank key: MISSING_REQUIRED
          case 1 -> "bad" + i;                            // breaks the pattern
          default -> "K" + random.nextInt(300);           // about a third of the keys repeat
        };
        int n = random.nextInt(10) == 0 ? 500 : random.nextInt(100);  // some OUT_OF_RANGE
        String ts = "2026-11-01 " + String.format("%02d", random.nextInt(3)) + ":00:00";  // many ties
        String line = id + "," + n + "," + ts;
        lines.add(random.nextInt(40) == 0 ? "broken" : line);
        if (random.nextInt(15) == 0) {
          lines.add(line);                                // the same line twice
        }
      }
      Files.write(dir.resolve(file), lines);
    }
    return RawInput.read(spark, new org.apache.hadoop.fs.Path(dir.toUri()), CSV);
  }

  @ParameterizedTest(name = "keep {0}, {1} rows in memory")
  @CsvSource({"LATEST, 100000", "EARLIEST, 100000", "NONE, 100000", "LATEST, 5", "NONE, 5"})
  void singlePassAgreesWithTheOnePlanCheck(Keep keep, int rowsInMemory) throws IOException {
    ContractConfig contract = new ContractConfig(COLUMNS, 1.0,
        new UniqueKey(List.of("id"), keep, keep == Keep.NONE ? null : "ts"));
    ContractValidator validator = new ContractValidator(contract);
    Dataset<Row> input = input(keep.ordinal() * 10L + rowsInMemory);
    ContractValidator.ColumnCheck columns = validator.checkColumns(input.columns(), "test");

    Dataset<Row> oneShot = validator.validate(input);
    List<String> expectedValid = sorted(validator.valid(oneShot));
    List<String> expectedQuarantine = sorted(validator.quarantined(oneShot).drop("quarantined_at"));
    ContractReport expected = validator.report(oneShot, columns);
    assertThat(expected.rowsByReason()).containsKeys("DUPLICATE_KEY", "MISSING_REQUIRED", "OUT_OF_RANGE",
        "NOT_ALLOWED_VALUE", "MALFORMED_RECORD");

    SinglePassCheck check = SinglePassCheck.plan(spark, validator, input, rowsInMemory);
    List<Row> written = new ArrayList<>(check.validRows().collectAsList());  // the one action
    SinglePassCheck.Outcome outcome = check.finish(columns, written.size());
    if (outcome.hasLateValidRows()) {
      written.addAll(outcome.lateValidRows().collectAsList());
    }

    List<String> schema = new ArrayList<>();
    List<String> quarantined = new ArrayList<>();
    ContractReport report = outcome.writeQuarantine(rows -> {
      schema.add(rows.schema().simpleString());
      quarantined.addAll(sorted(rows.drop("quarantined_at")));
    });

    assertThat(written.stream().map(Row::toString).sorted().toList()).isEqualTo(expectedValid);
    assertThat(quarantined).isEqualTo(expectedQuarantine);
    assertThat(schema).containsExactly(validator.quarantined(oneShot).schema().simpleString());
    assertThat(report).isEqualTo(expected);
    assertThat(report.validRows() + report.quarantinedRows()).isEqualTo(input.count());
  }

  /**
   * Rows held back for the uniqueness rule are ranked in one partition, inside the two writes
   * that use them: no job of its own, and no shuffle stage (which adaptive execution would run
   * as a job of its own) in either write.
   */
  @org.junit.jupiter.api.Test
  void heldBackRowsAreRankedInsideTheWrites() throws IOException {
    ContractValidator validator = new ContractValidator(new ContractConfig(COLUMNS, 1.0,
        new UniqueKey(List.of("id"), Keep.LATEST, "ts")));
    Dataset<Row> input = input(42);
    ContractValidator.ColumnCheck columns = validator.checkColumns(input.columns(), "test");
    SinglePassCheck check = SinglePassCheck.plan(spark, validator, input, 100_000);
    long written = check.validRows().collectAsList().size();

    SinglePassCheck.Outcome[] outcome = new SinglePassCheck.Outcome[1];
    assertThat(SparkJobs.startedBy(spark, () -> outcome[0] = check.finish(columns, written))).isZero();
    assertThat(outcome[0].hasLateValidRows()).isTrue();
    assertThat(SparkJobs.startedBy(spark, () -> noop(outcome[0].lateValidRows()))).isEqualTo(1);
    ContractReport[] report = new ContractReport[1];
    assertThat(SparkJobs.startedBy(spark, () -> report[0] = outcome[0].writeQuarantine(SinglePassCheckTest::noop)))
        .isEqualTo(1);
    assertThat(report[0].rowsByReason()).containsKey("DUPLICATE_KEY");
  }

  private static void noop(Dataset<Row> rows) {
    rows.write().format("noop").mode("overwrite").save();
  }

  /**
   * The pass is one generated method per row, and HotSpot does not compile a method of more
   * than 8000 bytes of bytecode: above that, every row runs interpreted, several times slower.
   * A contract of 16 columns read from text (every value parsed) must stay below it.
   */
  @ParameterizedTest(name = "unique key: {0}")
  @ValueSource(booleans = {true, false})
  void theSinglePassCompilesToMethodsTheJitTakes(boolean uniqueKey) throws IOException {
    List<ColumnContract> columns = new ArrayList<>(List.of(
        new ColumnContract("customer_id", ColumnType.STRING, false, null, null, null, "C[0-9]{8}-[0-9]{6}", null),
        new ColumnContract("last_login_at", ColumnType.TIMESTAMP, false, null, null, null, null, null),
        new ColumnContract("signup", ColumnType.DATE, true, null, null, null, null, "yyyy/MM/dd"),
        new ColumnContract("plan", ColumnType.STRING, false, null, null, List.of("basic", "standard", "premium"), null, null),
        new ColumnContract("autopay", ColumnType.BOOLEAN, false, null, null, null, null, null),
        new ColumnContract("churned", ColumnType.INTEGER, false, null, null, List.of("0", "1"), null, null),
        new ColumnContract("visits", ColumnType.LONG, true, 0.0, null, null, null, null)));
    for (int i = 0; i < 3; i++) {
      columns.add(new ColumnContract("x" + i, i % 3 == 0 ? ColumnType.INTEGER : ColumnType.DOUBLE, i % 2 == 0,
          0.0, 1000.0, null, null, null));
    }
    String header = String.join(",", columns.stream().map(ColumnContract::name).toList());
    String row = "C00000001-000001,2026-11-01 10:00:00,2020/01/31,basic,true,0,12,1,2,3";
    Path dir = Files.createDirectories(tmp.resolve("wide/dt=2026-11-01"));
    Files.write(dir.resolve("a.csv"), List.of(header, row, row, row.replace("000001,", "000002,")));
    Dataset<Row> input = RawInput.read(spark, new org.apache.hadoop.fs.Path(dir.toUri()), CSV);
    ContractValidator validator = new ContractValidator(new ContractConfig(columns, 1.0,
        uniqueKey ? new UniqueKey(List.of("customer_id"), Keep.LATEST, "last_login_at") : null));

    String adaptive = spark.conf().get("spark.sql.adaptive.enabled");
    spark.conf().set("spark.sql.adaptive.enabled", "false");  // to see the final plan before it runs
    try {
      Dataset<Row> pass = SinglePassCheck.plan(spark, validator, input, 1000).validRows();
      assertThat(pass.queryExecution().executedPlan().toString())
          .contains(uniqueKey ? "BroadcastHashJoin" : "Filter").doesNotContain("SortMergeJoin");
      scala.collection.Seq<Tuple3<String, String, ByteCodeStats>> code = pass.queryExecution().debug().codegenToSeq();
      assertThat(code.size()).isPositive();
      for (int i = 0; i < code.size(); i++) {
        assertThat(code.apply(i)._3().maxMethodCodeSize()).as("largest generated method").isBetween(1, 7999);
      }
    } finally {
      spark.conf().set("spark.sql.adaptive.enabled", adaptive);
    }
  }

  private static List<String> sorted(Dataset<Row> rows) {
    return rows.collectAsList().stream().map(Row::toString).sorted().toList();
  }
}
