package dev.glmpipe.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glmpipe.GlmpipeException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {
  @TempDir Path tmp;

  private ModelRegistry registry() {
    return new ModelRegistry(new Configuration(), new org.apache.hadoop.fs.Path(tmp.toUri()), "m");
  }

  private String createVersion(ModelRegistry registry) {
    return registry.createVersion(draft -> {
      try (OutputStream out = FileSystem.getLocal(new Configuration()).create(draft.manifestPath())) {
        out.write("{\"name\":\"m\",\"version\":\"x\"}".getBytes());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  @Test
  void versionIsInvisibleUntilComplete() {
    ModelRegistry registry = registry();
    String v = registry.createVersion(draft -> {
      assertThat(registry.versions()).isEmpty();
      try (OutputStream out = FileSystem.getLocal(new Configuration()).create(draft.manifestPath())) {
        out.write("{}".getBytes());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    assertThat(registry.versions()).containsExactly(v);
    assertThat(registry.latestVersion()).isEqualTo(v);
  }

  @Test
  void failedWriteLeavesNoVersion() {
    ModelRegistry registry = registry();
    assertThatThrownBy(() -> registry.createVersion(draft -> {
      throw new IllegalStateException("disk full");
    })).hasMessage("disk full");
    assertThat(registry.versions()).isEmpty();
    assertThat(tmp.resolve("m/versions").toFile().list()).isEmpty();
  }

  @Test
  void promoteKeepsThePreviousChampion() throws IOException {
    ModelRegistry registry = registry();
    assertThatThrownBy(registry::champion).isInstanceOf(GlmpipeException.class).hasMessageContaining("has no champion yet");
    String v1 = createVersion(registry);
    String v2 = createVersion(registry);
    registry.promote(v1);
    registry.promote(v2);
    assertThat(registry.champion()).isEqualTo(v2);
    assertThat(registry.alias(ModelRegistry.PREVIOUS)).map(ModelRegistry.Alias::version).contains(v1);
    // Only the alias files remain: no temporary leftovers beside them.
    try (var files = Files.list(tmp.resolve("m/aliases"))) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")))
          .containsExactlyInAnyOrder("champion.json", "previous.json");
    }
  }

  @Test
  void promotingTheChampionAgainKeepsItsRollbackPointer() {
    ModelRegistry registry = registry();
    String v1 = createVersion(registry);
    String v2 = createVersion(registry);
    registry.promote(v1);
    registry.promote(v2);
    registry.promote(v2);
    assertThat(registry.alias(ModelRegistry.CHAMPION)).map(ModelRegistry.Alias::previousVersion).contains(v1);
    assertThat(registry.alias(ModelRegistry.PREVIOUS)).map(ModelRegistry.Alias::version).contains(v1);
  }

  @Test
  void unknownVersionIsAUsageError() {
    assertThatThrownBy(() -> registry().versionDir("nope"))
        .isInstanceOf(GlmpipeException.class)
        .hasMessageContaining("has no version 'nope'");
  }
}
