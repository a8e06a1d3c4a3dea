package dev.glmpipe.contract;

import static org.apache.spark.sql.functions.expr;
import static org.assertj.core.api.Assertions.assertThat;

import dev.glmpipe.testing.SharedSpark;
import dev.glmpipe.testing.SparkJobs;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class RepeatedKeysTest {
  private final SparkSession spark = SharedSpark.get();

  /** 3,000 hashes of 0..1999: each multiple of 7 below 1000 twice, and each multiple of 35 three times. */
  private Dataset<Row> hashes() {
    return spark.range(0, 3000, 1, 3).select(expr("CASE WHEN id >= 2000 AND (id - 2000) % 7 = 0 THEN (id - 2000) "
        + "WHEN id >= 2000 AND (id - 2000) % 35 = 1 THEN (id - 2001) ELSE id END").as("h"));
  }

  @Test
  void findsEveryRepeatedHashWithItsCountInOnePass() {
    RepeatedKeys.Found[] result = new RepeatedKeys.Found[1];
    // One job (a shuffle of Spark SQL rows made its map stage a job of its own, and a limit
    // before the collect ran one job per round of partitions).
    assertThat(SparkJobs.startedBy(spark, () -> result[0] = RepeatedKeys.find(hashes(), 1000))).isEqualTo(1);
    RepeatedKeys.Found found = result[0];

    // Independent count: group by the hash.
    Map<Long, Long> expected = new TreeMap<>();
    hashes().groupBy("h").count().where("count > 1").collectAsList()
        .forEach(r -> expected.put(r.getLong(0), r.getLong(1)));
    Map<Long, Long> actual = new TreeMap<>();
    for (int i = 0; i < found.hashes().length; i++) {
      actual.put(found.hashes()[i], found.occurrences()[i]);
    }
    assertThat(found.complete()).isTrue();
    assertThat(actual).isEqualTo(expected).containsEntry(0L, 3L).containsEntry(7L, 2L);
    assertThat(found.rows()).isEqualTo(expected.values().stream().mapToLong(Long::longValue).sum());
  }

  @Test
  void aPartitionWithMoreRepeatsThanItMaySendSaysSo() {
    RepeatedKeys.Found found = RepeatedKeys.find(hashes(), 5);

    assertThat(found.complete()).isFalse();
    assertThat(found.isEmpty()).isFalse();
    assertThat(found.hashes().length).isLessThanOrEqualTo(5 * Integer.parseInt(spark.conf().get("spark.sql.shuffle.partitions")));
  }

  @Test
  void uniqueHashesFindNothing() {
    RepeatedKeys.Found found = RepeatedKeys.find(spark.range(500).select(expr("id").as("h")), 10);

    assertThat(found.isEmpty()).isTrue();
    assertThat(found.rows()).isZero();
  }
}
