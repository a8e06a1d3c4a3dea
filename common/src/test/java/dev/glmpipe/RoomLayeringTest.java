package dev.glmpipe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The library's rooms (packages under {@code dev.glmpipe}) from their sources' imports: no
 * arrow may run both ways, directly or round a loop, so each room can be read and changed with
 * only the rooms below it in mind.
 */
class RoomLayeringTest {
  private static final Path SOURCES = Path.of("src/main/java/dev/glmpipe");
  private static final Pattern IMPORT = Pattern.compile("^import (?:static )?dev\\.glmpipe\\.([a-z]+)\\.", Pattern.MULTILINE);

  @Test
  void roomsFormNoLoop() {
    Map<String, Set<String>> uses = uses();
    assertThat(uses).containsKeys("registry", "train", "score", "runs");
    for (String room : uses.keySet()) {
      assertThat(path(uses, room, room, new HashSet<>())).as("a loop through " + room).isNull();
    }
  }

  @Test
  void trainSitsBelowTheRegistry() {
    // The registry turns what train returns into a version; train never reaches the registry.
    Map<String, Set<String>> uses = uses();
    assertThat(path(uses, "train", "registry", new HashSet<>())).isNull();
    assertThat(uses.get("registry")).contains("train");
  }

  /** Rooms each room imports from, other than itself. */
  private static Map<String, Set<String>> uses() {
    Map<String, Set<String>> uses = new TreeMap<>();
    try (Stream<Path> rooms = Files.list(SOURCES)) {
      for (Path room : rooms.filter(Files::isDirectory).toList()) {
        Set<String> used = new TreeSet<>();
        try (Stream<Path> files = Files.walk(room)) {
          for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
            Matcher m = IMPORT.matcher(Files.readString(f));
            while (m.find()) {
              used.add(m.group(1));
            }
          }
        }
        used.remove(room.getFileName().toString());
        uses.put(room.getFileName().toString(), used);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return uses;
  }

  /** A path of imports from {@code from} to {@code to} (at least one step), or null. */
  private static List<String> path(Map<String, Set<String>> uses, String from, String to, Set<String> seen) {
    for (String next : uses.getOrDefault(from, Set.of())) {
      if (next.equals(to)) {
        return new ArrayList<>(List.of(from, to));
      }
      if (seen.add(next)) {
        List<String> rest = path(uses, next, to, seen);
        if (rest != null) {
          rest.add(0, from);
          return rest;
        }
      }
    }
    return null;
  }
}
