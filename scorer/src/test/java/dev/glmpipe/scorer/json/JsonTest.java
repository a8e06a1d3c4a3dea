package dev.glmpipe.scorer.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void readsEveryKindOfValue() {
    Object v = Json.parse(" {\"a\": [1, -2.5e3, true, false, null, \"x\\u00e9\\n\\\"\"], \"b\": {}, \"c\": -0, \"d\": 12345678901234567890} ");
    assertThat(v).isEqualTo(Map.of("a", java.util.Arrays.asList(1L, -2500.0, true, false, null, "xé\n\""), "b", Map.of(),
        "c", -0.0, "d", 1.2345678901234567e19));
    assertThat(Double.doubleToRawLongBits((Double) ((Map<?, ?>) v).get("c"))).isEqualTo(Double.doubleToRawLongBits(-0.0));
  }

  @Test
  void doublesSurviveAWriteAndAReadBitForBit() {
    SplittableRandom rnd = new SplittableRandom(1);
    for (int i = 0; i < 10_000; i++) {
      double d = Double.longBitsToDouble(rnd.nextLong());
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        continue;
      }
      Object back = ((List<?>) Json.parse(Json.write(List.of(d)))).get(0);
      assertThat(((Number) back).doubleValue()).isEqualTo(d);
    }
  }

  @Test
  void refusesWhatIsNotJsonSayingWhere() {
    for (String bad : List.of("", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "01", "1.", "-", "tru", "\"a", "\"\\x\"", "{\"a\":1}x",
        "{\"a\":1,\"a\":2}", "[" .repeat(100) + "]".repeat(100), "\"tab\there\"", "NaN")) {
      assertThatThrownBy(() -> Json.parse(bad)).as(bad).isInstanceOf(JsonException.class).hasMessageContaining("at offset");
    }
  }

  @Test
  void writesNonFiniteNumbersAsNullAndEscapesStrings() {
    assertThat(Json.write(Map.of("s", "a\"b\\c\u0001"))).isEqualTo("{\"s\":\"a\\\"b\\\\c\\u0001\"}");
    assertThat(Json.write(new double[] {1.5, Double.NaN, Double.NEGATIVE_INFINITY})).isEqualTo("[1.5,null,null]");
  }
}
