package dev.glmpipe.registry;

import dev.glmpipe.GlmpipeException;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The registry's version ids, {@code yyyyMMdd-HHmmss-xxxx} (UTC creation time and 4 random hex
 * digits), e.g. {@code 20261123-162116-b5b8}; they sort by creation time.
 *
 * <p>An id becomes a path segment ({@code versions/<id>}, {@code exports/<id>},
 * {@code evaluations/<id>.json}), so whatever a user passes as a version is checked against
 * this format before any path is built from it: {@code ../x} or {@code a/b} would otherwise
 * resolve outside the model's directory. Every entry point checks it here, naming its own
 * argument; {@link RegistryPaths} checks again for anything that arrives another way.
 */
public final class VersionId {
  public static final String EXAMPLE = "20261123-162116-b5b8";
  /** The aliases a version argument may name instead of an id, where aliases are accepted. */
  public static final List<String> ALIASES = List.of(AliasStore.CHAMPION, AliasStore.PREVIOUS);

  private static final Pattern FORMAT = Pattern.compile("[0-9]{8}-[0-9]{6}-[0-9a-f]{4}");
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  private VersionId() {}

  /** A new id for a version created at {@code now} (UTC). */
  static String generate(ZonedDateTime now) {
    return TIME.format(now) + "-" + UUID.randomUUID().toString().substring(0, 4);
  }

  public static boolean isValid(String value) {
    return value != null && FORMAT.matcher(value).matches();
  }

  /**
   * {@code value} when it is a version id (null stays null: the argument was not given); a usage
   * error (exit 2) naming {@code argument} otherwise.
   */
  public static String require(String argument, String value) {
    if (value != null && !isValid(value)) {
      throw GlmpipeException.usage(argument + " must be a version id like " + EXAMPLE + ", not '" + shown(value) + "'");
    }
    return value;
  }

  /** As {@link #require}, but an alias ({@link #ALIASES}) is accepted too. */
  public static String requireVersionOrAlias(String argument, String value) {
    if (value != null && !isValid(value) && !ALIASES.contains(value)) {
      throw GlmpipeException.usage(argument + " must be a version id like " + EXAMPLE + " or an alias ("
          + String.join(", ", ALIASES) + "), not '" + shown(value) + "'");
    }
    return value;
  }

  /** The value as typed, on one line: the error is one line whatever was passed. */
  private static String shown(String value) {
    String oneLine = value.replaceAll("\\p{Cntrl}", "?");
    return oneLine.length() > 80 ? oneLine.substring(0, 80) + "…" : oneLine;
  }
}
