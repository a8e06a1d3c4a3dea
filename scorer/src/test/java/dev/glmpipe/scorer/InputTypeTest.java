package dev.glmpipe.scorer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/** Record values read as the Spark types the model was trained on, and refused naming the field otherwise. */
class InputTypeTest {
  @Test
  void readsValuesAsASparkRowHoldsThem() {
    assertThat(InputType.of("int").read("n", 12)).isEqualTo(12L);
    assertThat(InputType.of("int").read("n", 12.0)).isEqualTo(12L);
    assertThat(InputType.of("bigint").read("n", Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
    assertThat(InputType.of("double").read("x", 3L)).isEqualTo(3.0);
    assertThat((Double) InputType.of("double").read("x", "NaN")).isNaN();
    assertThat(InputType.of("double").read("x", "-Infinity")).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(InputType.of("float").read("x", 0.1)).isEqualTo((double) 0.1f);
    assertThat(InputType.of("timestamp").read("t", "2026-11-03T10:15:30+01:00")).isEqualTo(Instant.parse("2026-11-03T09:15:30Z"));
    assertThat(InputType.of("date").read("d", "2026-11-03")).isEqualTo(LocalDate.of(2026, 11, 3));
    assertThat(InputType.sparkString(InputType.of("int").read("n", 7))).isEqualTo("7");
    assertThat(InputType.sparkString(true)).isEqualTo("true");
  }

  @Test
  void refusesAValueOfAnotherTypeNamingTheField() {
    assertThatThrownBy(() -> InputType.of("int").read("tenure", "12")).isInstanceOf(InvalidInputException.class)
        .hasMessage("'tenure': expected an integer (int), got the string \"12\"");
    assertThatThrownBy(() -> InputType.of("int").read("tenure", 12.5)).hasMessageContaining("expected an integer");
    assertThatThrownBy(() -> InputType.of("int").read("tenure", 1L << 40)).hasMessageContaining("out of range for int");
    assertThatThrownBy(() -> InputType.of("double").read("x", true)).hasMessageContaining("expected a number, got true");
    assertThatThrownBy(() -> InputType.of("string").read("plan", 3L)).hasMessageContaining("expected a string, got the number 3");
    assertThatThrownBy(() -> InputType.of("boolean").read("autopay", "yes")).hasMessageContaining("expected true or false");
    assertThatThrownBy(() -> InputType.of("timestamp").read("t", "2026-11-03 10:15:30"))
        .hasMessageContaining("with an offset");
  }
}
