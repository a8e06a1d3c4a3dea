package dev.glmpipe.jobs;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.io.DateRange;
import java.time.LocalDate;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code --dt D} or {@code --from D --to D}: the partitions a job works on. */
public final class DateOptions {
  @Option(names = "--dt", paramLabel = "YYYY-MM-DD", converter = DateConverter.class,
      description = "One partition date.")
  LocalDate dt;

  @Option(names = "--from", paramLabel = "YYYY-MM-DD", converter = DateConverter.class,
      description = "First date of a range (inclusive); needs --to.")
  LocalDate from;

  @Option(names = "--to", paramLabel = "YYYY-MM-DD", converter = DateConverter.class,
      description = "Last date of a range (inclusive); needs --from.")
  LocalDate to;

  DateRange range() {
    if (dt != null && (from != null || to != null)) {
      throw GlmpipeException.usage("give either --dt or --from/--to, not both");
    }
    if (dt != null) {
      return DateRange.day(dt);
    }
    if (from == null || to == null) {
      throw GlmpipeException.usage(from == null && to == null
          ? "a date is required: --dt YYYY-MM-DD or --from YYYY-MM-DD --to YYYY-MM-DD"
          : "--from and --to go together; " + (from == null ? "--from" : "--to") + " is missing");
    }
    try {
      return new DateRange(from, to);
    } catch (IllegalArgumentException e) {
      throw GlmpipeException.usage(e.getMessage());
    }
  }

  /**
   * The dates asked for, as given: one with {@code --dt}, each day of {@code --from/--to} (only
   * the two ends past a year), none otherwise. The run record's dates when the result has none.
   */
  java.util.List<String> requested() {
    if (dt != null) {
      return java.util.List.of(dt.toString());
    }
    if (from == null || to == null || to.isBefore(from)) {
      return java.util.List.of();
    }
    if (from.plusDays(366).isBefore(to)) {
      return java.util.List.of(from.toString(), to.toString());
    }
    return from.datesUntil(to.plusDays(1)).map(LocalDate::toString).toList();
  }

  /** Strict YYYY-MM-DD, so 2026-02-30 or 2026-13-01 fail before any work starts. */
  public static final class DateConverter implements ITypeConverter<LocalDate> {
    @Override
    public LocalDate convert(String value) {
      try {
        return DateRange.parseDate(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
