package dev.glmpipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The shaded jar this build made (the one {@code package} wrote before this phase, named by its
 * build: {@code glmpipe-jobs-<version>-spark40_2.13.jar} and so on) holds glmpipe and what it
 * bundles, and none of what the cluster provides: a second Spark, Scala, Hadoop, Parquet or
 * Jackson in the jar would shadow the platform's and break in ways that depend on class order.
 */
class ShadedJarIT {
  /** Class-file prefixes the platforms provide; none may be in the jar (relocated or not). */
  private static final List<String> PROVIDED = List.of(
      "org/apache/spark/", "scala/", "org/apache/hadoop/", "org/apache/parquet/", "shaded/parquet/",
      "com/fasterxml/jackson/", "org/apache/iceberg/", "org/slf4j/");

  @Test
  void holdsNoProvidedClasses() throws IOException {
    Path jar = Path.of(System.getProperty("glmpipe.shaded.jar", "missing: set glmpipe.shaded.jar"));
    assertThat(jar).as("the shaded jar of build %s", System.getProperty("glmpipe.build")).isRegularFile();
    List<String> classes = new ArrayList<>();
    String mainClass;
    try (JarFile file = new JarFile(jar.toFile())) {
      mainClass = file.getManifest().getMainAttributes().getValue("Main-Class");
      file.stream().map(e -> e.getName()).filter(n -> n.endsWith(".class"))
          // a multi-release jar's versioned copies count as the class they are
          .map(n -> n.replaceFirst("^META-INF/versions/\\d+/", ""))
          .forEach(classes::add);
    }
    List<String> provided = classes.stream()
        .filter(c -> PROVIDED.stream().anyMatch(p -> c.startsWith(p) || c.contains("/shaded/" + p)))
        .sorted().collect(Collectors.toList());
    assertThat(provided).as("classes of provided libraries in %s", jar.getFileName()).isEmpty();
    assertThat(mainClass).isEqualTo(Main.class.getName());
    assertThat(classes).contains(Main.class.getName().replace('.', '/') + ".class",
        "dev/glmpipe/score/PipelineCompiler.class", "dev/glmpipe/spark/ImputerModels.class");
    // The bundled libraries that clusters may also carry are relocated.
    assertThat(classes).noneMatch(c -> c.startsWith("org/yaml/snakeyaml/") || c.startsWith("com/google/protobuf/")
        || c.startsWith("io/prometheus/") || c.startsWith("picocli/"));
    assertThat(Files.size(jar)).as("size of %s", jar.getFileName()).isLessThan(200L << 20);
  }
}
