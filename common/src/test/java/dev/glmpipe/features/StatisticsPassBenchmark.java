package dev.glmpipe.features;

import static org.apache.spark.sql.functions.col;

import dev.glmpipe.testing.SharedSpark;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The statistics pass with and without the baseline's per-day histograms, on cached rows so the
 * pass itself is timed: {@code ./mvnw -B -q -o -pl common test -Dtest=StatisticsPassBenchmark -Dbench=true}.
 */
@EnabledIfSystemProperty(named = "bench", matches = "true")
class StatisticsPassBenchmark {
  @Test
  void histogramsCostLittle() {
    SparkSession spark = SharedSpark.get();
    int rows = Integer.getInteger("bench.rows", 2_000_000);
    List<String> exprs = new ArrayList<>(List.of("id", "IF(id < " + rows / 2 + ", '2026-11-01', '2026-11-02') AS dt"));
    for (int i = 0; i < 10; i++) {
      exprs.add("IF(id % 50 = " + i + ", NULL, exp(randn(" + i + ")) * " + (i + 1) * 10 + ") AS x" + i);
    }
    Dataset<Row> data = spark.range(0, rows, 1, 2).selectExpr(exprs.toArray(String[]::new)).persist(StorageLevel.MEMORY_ONLY());
    data.count();
    for (int round = 0; round < Integer.getInteger("bench.rounds", 10); round++) {
      for (boolean withHistograms : new boolean[] {false, true}) {
        StatisticsPass pass = new StatisticsPass();
        pass.countTrainingRows("rows");
        if (withHistograms) {
          pass.byDay("CAST(dt AS STRING)");
        }
        for (int i = 0; i < 10; i++) {
          if (withHistograms) {
            pass.histogram("CAST(x" + i + " AS DOUBLE)");
          } else {
            pass.numeric("CAST(x" + i + " AS DOUBLE)", true);
          }
        }
        long start = System.nanoTime();
        pass.run(data, col("id").mod(5).notEqual(0));
        System.out.printf("BENCH round %d histograms=%s %d ms%n", round, withHistograms, (System.nanoTime() - start) / 1_000_000);
      }
    }
    data.unpersist();
  }
}
