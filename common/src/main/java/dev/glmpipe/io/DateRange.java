package dev.glmpipe.io;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.List;

/** An inclusive range of partition dates, {@code from..to}. A single day has from == to. */
public record DateRange(LocalDate from, LocalDate to) {
  /** Strict: {@code 2026-02-30} is rejected rather than rolled over to March. */
  private static final DateTimeFormatter ISO_STRICT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd").withResolverStyle(ResolverStyle.STRICT);

  /** Longest range a single job accepts; a typo such as 2206 for 2026 should not run for hours. */
  public static final int MAX_DAYS = 3660;

  public DateRange {
    if (to.isBefore(from)) {
      throw new IllegalArgumentException("--from " + from + " is after --to " + to);
    }
    if (from.plusDays(MAX_DAYS).isBefore(to)) {
      throw new IllegalArgumentException("--from " + from + " --to " + to + " spans more than " + MAX_DAYS + " days");
    }
  }

  public static DateRange day(LocalDate dt) {
    return new DateRange(dt, dt);
  }

  /** Parses {@code YYYY-MM-DD}; the message names the offending text and the expected form. */
  public static LocalDate parseDate(String text) {
    try {
      return LocalDate.parse(text.trim(), ISO_STRICT);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("'" + text + "' is not a valid date in YYYY-MM-DD form");
    }
  }

  public List<LocalDate> dates() {
    List<LocalDate> out = new ArrayList<>();
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      out.add(d);
    }
    return out;
  }

  @Override
  public String toString() {
    return from.equals(to) ? from.toString() : from + ".." + to;
  }
}
