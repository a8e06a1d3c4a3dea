package dev.glmpipe.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glmpipe.testing.SharedSpark;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The key joins monitoring makes: a date's features rows a version scored, and scores with their labels. */
class KeyJoinTest {
  private final SparkSession spark = SharedSpark.get();

  private Dataset<Row> frame(String value, Object[]... rows) {
    StructType schema = new StructType().add("id", DataTypes.StringType).add("day", DataTypes.IntegerType)
        .add(value, DataTypes.StringType).add("model_version", DataTypes.StringType);
    return spark.createDataFrame(java.util.Arrays.stream(rows).map(RowFactory::create).toList(), schema);
  }

  @Test
  void semiJoinKeepsTheLeftRowsWhoseCompositeKeyTheRightHasAndOnlyTheirColumns() {
    Dataset<Row> features = frame("x", new Object[] {"a", 1, "fa", "-"}, new Object[] {"a", 2, "fa2", "-"},
        new Object[] {"b", 1, "fb", "-"});
    Dataset<Row> scores = frame("s", new Object[] {"a", 2, "sa", "v2"}, new Object[] {"b", 1, "sb", "v1"});
    Dataset<Row> v2 = scores.where("model_version = 'v2'").select("id", "day");
    Dataset<Row> scoredByV2 = KeyJoin.on(features, v2, List.of("id", "day"), "left_semi");
    assertThat(scoredByV2.columns()).containsExactly("id", "day", "x", "model_version");
    assertThat(scoredByV2.collectAsList()).extracting(r -> r.getString(2)).containsExactly("fa2");
    assertThat(KeyJoin.versions(scores)).containsExactly("v1", "v2");
  }

  @Test
  void innerJoinKeepsTheKeysOnce() {
    Dataset<Row> scores = frame("s", new Object[] {"a", 1, "sa", "v1"}, new Object[] {"b", 1, "sb", "v1"});
    Dataset<Row> labels = frame("label", new Object[] {"b", 1, "1", null}).select("id", "day", "label");
    Dataset<Row> joined = KeyJoin.on(scores, labels, List.of("id", "day"), "inner");
    assertThat(joined.columns()).containsExactly("id", "day", "s", "model_version", "label");
    assertThat(joined.collectAsList()).singleElement().satisfies(r -> assertThat(r.getString(0)).isEqualTo("b"));
  }
}
