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

    Checked expected = oneShot(validator, input, columns);
    assertThat(expected.report().rowsByReason()).containsKeys("DUPLICATE_KEY", "MISSING_REQUIRED", "OUT_OF_RANGE",
        "NOT_ALLOWED_VALUE", "MALFORMED_RECORD");

    assertThat(singlePass(validator, input, columns, rowsInMemory)).isEqualTo(expected);
    assertThat(expected.report().validRows() + expected.report().quarantinedRows()).isEqualTo(input.count());
  }

  /**
   * A stage whose generated method is over {@code spark.sql.codegen.hugeMethodLimit} runs
   * operator by operator instead (conf/base.yaml sets the limit to the 8000 bytes past which
   * HotSpot would leave the method interpreted): the same rows, reasons and counts must come
   * out. A limit of 500 bytes puts the pass over it.
   */
  @org.junit.jupiter.api.Test
  void overTheGeneratedMethodLimitThePassGivesTheSameResult() throws IOException {
    ContractValidator validator = new ContractValidator(new ContractConfig(COLUMNS, 1.0,
        new UniqueKey(List.of("id"), Keep.LATEST, "ts")));
    Dataset<Row> input = input(7);
    ContractValidator.ColumnCheck columns = validator.checkColumns(input.columns(), "test");
    Checked expected = oneShot(validator, input, columns);

    String key = "spark.sql.codegen.hugeMethodLimit";
    String limit = spark.conf().get(key);
    spark.conf().set(key, "500");
    try {
      // Spark falls back for a stage whose largest generated method is over the limit.
      assertThat(largestGeneratedMethod(SinglePassCheck.plan(spark, validator, input, 100_000).validRows(),
          "BroadcastHashJoin")).isGreaterThan(500);
      assertThat(singlePass(validator, input, columns, 100_000)).isEqualTo(expected);
    } finally {
      spark.conf().set(key, limit);
    }
  }

  /** What a check wrote: valid rows and quarantine rows (sorted), the quarantine's schema, the counts. */
  private record Checked(List<String> valid, List<String> quarantine, String quarantineSchema, ContractReport report) {}

  private Checked oneShot(ContractValidator validator, Dataset<Row> input, ContractValidator.ColumnCheck columns) {
    Dataset<Row> checked = validator.validate(input);
    Dataset<Row> quarantine = validator.quarantined(checked);
    return new Checked(sorted(validator.valid(checked)), sorted(quarantine.drop("quarantined_at")),
        quarantine.schema().simpleString(), validator.report(checked, columns));
  }

  private Checked singlePass(ContractValidator validator, Dataset<Row> input, ContractValidator.ColumnCheck columns,
      int rowsInMemory) {
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
    assertThat(schema).hasSize(1);
    return new Checked(written.stream().map(Row::toString).sorted().toList(), quarantined, schema.get(0), report);
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

    Dataset<Row> pass = SinglePassCheck.plan(spark, validator, input, 1000).validRows();
    assertThat(largestGeneratedMethod(pass, uniqueKey ? "BroadcastHashJoin" : "Filter")).isBetween(1, 7999);
  }

  /**
   * The largest method Spark generates for {@code pass}'s stages, in bytes of bytecode, after
   * checking the plan has {@code operator} and shuffles no row whole (no sort-merge join).
   */
  private int largestGeneratedMethod(Dataset<Row> pass, String operator) {
    String adaptive = spark.conf().get("spark.sql.adaptive.enabled");
    spark.conf().set("spark.sql.adaptive.enabled", "false");  // to see the final plan before it runs
    try {
      assertThat(pass.queryExecution().executedPlan().toString()).contains(operator).doesNotContain("SortMergeJoin");
      scala.collection.Seq<Tuple3<String, String, ByteCodeStats>> code = pass.queryExecution().debug().codegenToSeq();
      assertThat(code.size()).isPositive();
      int largest = 0;
      for (int i = 0; i < code.size(); i++) {
        largest = Math.max(largest, code.apply(i)._3().maxMethodCodeSize());
      }
      return largest;
    } finally {
      spark.conf().set("spark.sql.adaptive.enabled", adaptive);
    }
  }

  private static List<String> sorted(Dataset<Row> rows) {
    return rows.collectAsList().stream().map(Row::toString).sorted().toList();
  }
}
