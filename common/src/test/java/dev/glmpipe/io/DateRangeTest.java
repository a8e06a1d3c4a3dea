package dev.glmpipe.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class DateRangeTest {
  @Test
  void parsesStrictIsoDates() {
    assertThat(DateRange.parseDate("2026-11-01")).isEqualTo(LocalDate.of(2026, 11, 1));
    for (String bad : new String[] {"2026-13-01", "2026-02-30", "20261101", "2026-1-1", "tomorrow"}) {
      assertThatThrownBy(() -> DateRange.parseDate(bad))
          .hasMessage("'" + bad + "' is not a valid date in YYYY-MM-DD form");
    }
  }

  @Test
  void rangeIsInclusiveAndOrdered() {
    DateRange r = new DateRange(LocalDate.of(2026, 2, 27), LocalDate.of(2026, 3, 2));
    assertThat(r.dates()).extracting(LocalDate::toString)
        .containsExactly("2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02");
    assertThatThrownBy(() -> new DateRange(LocalDate.of(2026, 3, 2), LocalDate.of(2026, 3, 1)))
        .hasMessage("--from 2026-03-02 is after --to 2026-03-01");
  }
}
