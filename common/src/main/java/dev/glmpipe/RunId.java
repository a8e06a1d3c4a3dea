package dev.glmpipe;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The id of one run of one job: given by the caller ({@code --run-id}; a scheduler passes its
 * own, e.g. Airflow's run id and try number) or generated. It names the run in its logs, in
 * the Spark UI's job descriptions and in its result.
 */
public final class RunId {
  /** Airflow's run ids ({@code scheduled__2026-11-07T02:00:00+00:00}) fit; spaces and slashes do not. */
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:+@=-]{0,199}");
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT);
  /** The log context key (log4j2's ThreadContext, through SLF4J's MDC) and the Spark local property. */
  public static final String KEY = "run_id";
  public static final String SPARK_PROPERTY = "glmpipe.run_id";

  private RunId() {}

  /** {@code <job>-<UTC time>-<4 hex digits>}, e.g. {@code score-20261107T020014Z-3f9a}. */
  public static String generate(String job) {
    return job + "-" + ZonedDateTime.now(ZoneOffset.UTC).format(STAMP) + "-"
        + String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
  }

  /** A caller's run id, checked: a usage error (exit 2) naming the argument if it cannot be one. */
  public static String given(String id) {
    if (!VALID.matcher(id).matches()) {
      throw GlmpipeException.usage("--run-id must be 1 to 200 letters, digits or . _ : + @ = - (starting with a letter"
          + " or digit), not '" + id + "'");
    }
    return id;
  }
}
