package dev.glmpipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.glmpipe.testing.AnsiMode;
import dev.glmpipe.testing.SharedSpark;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What ANSI SQL mode turns into errors — a bad cast, an overflow, a division by zero — is, when
 * it reaches the launcher, the data's error: exit 3 and one line, not an unexpected failure.
 */
class AnsiDataErrorTest {
  private final SparkSession spark = SharedSpark.get();

  @ParameterizedTest
  @ValueSource(strings = {"CAST('seven' AS INT)", "CAST(id AS INT) + 2147483647", "10 DIV (id - 1)",
      "CAST(3000000000L * id AS INT)"})
  void ansiDataExceptionsAreDataErrors(String sql) throws Exception {
    String query = "SELECT " + sql + " AS v FROM range(1, 3)";
    Throwable thrown = AnsiMode.with(spark, true, () -> catchThrowable(() -> spark.sql(query).collectAsList()));
    assertThat(thrown).as(sql).isNotNull();
    GlmpipeException known = GlmpipeException.find(thrown);
    assertThat(known).as(sql).isNotNull();
    assertThat(known.exitCode()).isEqualTo(GlmpipeException.EXIT_DATA_CONTRACT);
    assertThat(known.getMessage()).contains("ANSI SQL mode").doesNotContain("\n");

    // Without ANSI mode the same query gives null (or wraps around) instead of failing.
    java.util.List<Row> rows = AnsiMode.with(spark, false, () -> spark.sql(query).collectAsList());
    assertThat(rows).hasSize(2);
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void otherFailuresStayUnexpected(boolean ansi) throws Exception {
    Throwable thrown = AnsiMode.with(spark, ansi, () -> catchThrowable(() -> spark.sql("SELECT no_such_column FROM range(1)")));
    assertThat(thrown).isNotNull();
    assertThat(GlmpipeException.find(thrown)).isNull();
    assertThat(GlmpipeException.find(new IllegalStateException("a bug"))).isNull();
  }
}
