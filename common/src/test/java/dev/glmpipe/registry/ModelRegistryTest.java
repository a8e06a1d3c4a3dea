package dev.glmpipe.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.io.StoreSemantics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ModelRegistryTest {
  @TempDir Path tmp;

  private final Configuration conf = new Configuration();

  private ModelRegistry registry() {
    return new ModelRegistry(conf, new org.apache.hadoop.fs.Path(tmp.toUri()), "m");
  }

  private ModelRegistry registry(boolean atomicRename) {
    Configuration c = new Configuration();
    c.set(StoreSemantics.ATOMIC_RENAME_KEY, Boolean.toString(atomicRename));
    return new ModelRegistry(c, new org.apache.hadoop.fs.Path(tmp.toUri()), "m");
  }

  private String createVersion(ModelRegistry registry) {
    return registry.versions().create(draft -> RegistryFixtures.writeModel(conf, draft, 3));
  }

  @ParameterizedTest(name = "atomic rename: {0}")
  @ValueSource(booleans = {true, false})
  void versionIsInvisibleUntilItsManifestIsWritten(boolean atomicRename) {
    ModelRegistry registry = registry(atomicRename);
    String v = registry.versions().create(draft -> {
      ModelManifest m = RegistryFixtures.writeModel(conf, draft, 3);
      assertThat(registry.versions().list()).isEmpty();
      return m;
    });
    assertThat(registry.versions().list()).containsExactly(v);
    assertThat(registry.versions().latest()).isEqualTo(v);
    assertThat(registry.versions().incomplete()).isEmpty();
    ModelManifest manifest = registry.versions().manifest(v);
    assertThat(manifest.files()).containsOnlyKeys("model/part-0", "model/part-1", "model/part-2", "profile.json");
    assertThat(registry.verifier().verify(v).ok()).isTrue();
  }

  @ParameterizedTest(name = "atomic rename: {0}")
  @ValueSource(booleans = {true, false})
  void failedWriteLeavesNoVersion(boolean atomicRename) {
    ModelRegistry registry = registry(atomicRename);
    assertThatThrownBy(() -> registry.versions().create(draft -> {
      RegistryFixtures.writeModel(conf, draft, 2);
      throw new IllegalStateException("disk full");
    })).hasMessage("disk full");
    assertThat(registry.versions().list()).isEmpty();
    assertThat(tmp.resolve("m/versions").toFile().list()).isEmpty();
  }

  /**
   * A writer JVM killed while writing (the way a lost executor or an OOM-killed driver dies):
   * readers see no version, only an incomplete directory; the next writer publishes a whole one.
   */
  @ParameterizedTest(name = "atomic rename: {0}")
  @ValueSource(booleans = {true, false})
  void aWriterKilledMidwayLeavesNothingVisible(boolean atomicRename) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        SlowVersionWriter.class.getName(), tmp.toUri().toString(), Boolean.toString(atomicRename))
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line = out.readLine();
      assertThat(line).as("child output").startsWith("STARTED ");
      String version = line.substring("STARTED ".length());
      ModelRegistry registry = registry(atomicRename);
      for (int i = 0; i < 10; i++) {  // readers during the write
        assertThat(registry.versions().list()).isEmpty();
        Thread.sleep(30);
      }
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(registry.versions().list()).isEmpty();
      assertThat(registry.versions().incomplete()).hasSize(1).allMatch(d -> d.endsWith(version));
      assertThatThrownBy(() -> registry.versions().dir(version)).isInstanceOf(GlmpipeException.class);

      String whole = createVersion(registry);
      assertThat(registry.versions().list()).containsExactly(whole);
      assertThat(registry.verifier().verify(whole).ok()).isTrue();
    } finally {
      child.destroyForcibly();
    }
  }

  @Test
  void verifyFindsChangedMissingAndExtraFiles() throws IOException {
    ModelRegistry registry = registry();
    String v = createVersion(registry);
    Path dir = tmp.resolve("m/versions/" + v);
    Files.writeString(dir.resolve("model/part-1"), "tampered");
    Files.delete(dir.resolve("model/part-2"));
    Files.writeString(dir.resolve("model/part-9"), "extra");
    VersionVerifier.Verification result = registry.verifier().verify(v);
    assertThat(result.ok()).isFalse();
    assertThat(result.problems()).hasSize(3).anyMatch(p -> p.startsWith("model/part-1: sha256"))
        .contains("model/part-2: missing", "model/part-9: not in the manifest");
    assertThatThrownBy(() -> registry.verifier().require(v))
        .isInstanceOf(GlmpipeException.class)
        .hasMessageContaining("failed verification, refusing to use it")
        .satisfies(e -> assertThat(((GlmpipeException) e).exitCode()).isEqualTo(GlmpipeException.EXIT_DATA_CONTRACT))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void anEditedManifestIsCaughtByTheChampionPin() throws IOException {
    ModelRegistry registry = registry();
    String v = createVersion(registry);
    registry.aliases().promote(v);
    assertThat(registry.champion().requireVerified().id()).isEqualTo(v);
    // Edit the manifest consistently (drop a file and its checksum): only the pin can tell.
    Path dir = tmp.resolve("m/versions/" + v);
    Files.delete(dir.resolve("model/part-0"));
    String manifest = Files.readString(dir.resolve("manifest.json"));
    String edited = manifest.replaceAll("\\s*\"model/part-0\" : \"[0-9a-f]+\",", "");
    assertThat(edited).isNotEqualTo(manifest);
    Files.writeString(dir.resolve("manifest.json"), edited);
    assertThat(registry.verifier().verify(v).ok()).as("files match the edited manifest").isTrue();
    assertThatThrownBy(() -> registry.champion().requireVerified())
        .isInstanceOf(GlmpipeException.class)
        .hasMessageContaining("manifest.json: sha256")
        .hasMessageContaining("recorded by alias champion");
  }

  @Test
  void promoteKeepsThePreviousChampionAndAnAuditTrail() throws IOException {
    ModelRegistry registry = registry();
    assertThatThrownBy(registry::champion).isInstanceOf(GlmpipeException.class).hasMessageContaining("has no champion yet");
    String v1 = createVersion(registry);
    String v2 = createVersion(registry);
    registry.aliases().promote(v1);
    registry.aliases().promote(v2);
    assertThat(registry.aliases().champion().version()).isEqualTo(v2);
    assertThat(registry.aliases().get(AliasStore.PREVIOUS)).map(AliasStore.Alias::version).contains(v1);
    assertThat(registry.aliases().get(AliasStore.CHAMPION)).map(AliasStore.Alias::manifestSha256)
        .contains(registry.versions().manifestSha256(v2));
    // Only the alias files and the history remain: no temporary leftovers beside them.
    try (var files = Files.list(tmp.resolve("m/aliases"))) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")))
          .containsExactlyInAnyOrder("champion.json", "previous.json", "history");
    }

    AliasStore.AliasChange back = registry.aliases().rollback();
    assertThat(back.version()).isEqualTo(v1);
    assertThat(registry.aliases().champion().version()).isEqualTo(v1);
    assertThat(registry.aliases().get(AliasStore.PREVIOUS)).map(AliasStore.Alias::version).contains(v2);
    List<AliasStore.AliasChange> history = registry.aliases().history();
    assertThat(history).extracting(AliasStore.AliasChange::action).containsExactly("promote", "promote", "rollback");
    assertThat(history).extracting(AliasStore.AliasChange::version).containsExactly(v1, v2, v1);
    assertThat(history).extracting(AliasStore.AliasChange::replacedVersion).containsExactly(null, v1, v2);
  }

  @Test
  void aManifestWrittenBeforeRunIdsLoadsVerifiesAndIsPromotedByARun() throws IOException {
    ModelRegistry registry = registry();
    String v = createVersion(registry);
    // As written before manifests had a run_id (the manifest is not among its own checksums).
    Path manifest = tmp.resolve("m/versions/" + v + "/manifest.json");
    String old = Files.readString(manifest).replaceAll("\\s*\"run_id\" : null,", "");
    assertThat(old).doesNotContain("run_id");
    Files.writeString(manifest, old);
    assertThat(registry.version(v).manifest().runId()).isNull();
    assertThat(registry.verifier().verify(v).ok()).isTrue();

    registry.aliases().promote(v, "export-1");
    assertThat(registry.champion().requireVerified().id()).isEqualTo(v);
    assertThat(registry.aliases().history()).singleElement()
        .satisfies(h -> assertThat(h.runId()).isEqualTo("export-1"));
  }

  @Test
  void rollbackWithoutPreviousIsAUsageError() {
    ModelRegistry registry = registry();
    registry.aliases().promote(createVersion(registry));
    assertThatThrownBy(registry.aliases()::rollback).isInstanceOf(GlmpipeException.class).hasMessageContaining("no previous champion");
  }

  @Test
  void aTamperedVersionCannotBePromoted() throws IOException {
    ModelRegistry registry = registry();
    String v = createVersion(registry);
    Files.writeString(tmp.resolve("m/versions/" + v + "/model/part-0"), "x");
    assertThatThrownBy(() -> registry.aliases().promote(v)).isInstanceOf(GlmpipeException.class).hasMessageContaining("failed verification");
    assertThat(registry.aliases().get(AliasStore.CHAMPION)).isEmpty();
  }

  @Test
  void promotingTheChampionAgainKeepsItsRollbackPointer() {
    ModelRegistry registry = registry();
    String v1 = createVersion(registry);
    String v2 = createVersion(registry);
    registry.aliases().promote(v1);
    registry.aliases().promote(v2);
    assertThat(registry.aliases().promote(v2)).isEmpty();
    assertThat(registry.aliases().get(AliasStore.CHAMPION)).map(AliasStore.Alias::previousVersion).contains(v1);
    assertThat(registry.aliases().get(AliasStore.PREVIOUS)).map(AliasStore.Alias::version).contains(v1);
  }

  @Test
  void unknownVersionIsAUsageError() {
    assertThatThrownBy(() -> registry().version("20261123-162116-b5b8"))
        .isInstanceOf(GlmpipeException.class)
        .hasMessageContaining("has no version '20261123-162116-b5b8'");
  }

  @Test
  void aVersionArgumentNeverReachesOutsideTheModelsDirectory() {
    // A real version of another model: a path argument would find its manifest.
    ModelRegistry other = new ModelRegistry(conf, new org.apache.hadoop.fs.Path(tmp.toUri()), "other");
    String v = other.versions().create(draft -> RegistryFixtures.writeModel(conf, draft, 1));
    ModelRegistry registry = registry();
    for (String escape : List.of("../../other/versions/" + v, "../other/versions/" + v)) {
      for (java.util.function.Consumer<String> entry : List.<java.util.function.Consumer<String>>of(registry::version,
          registry::resolve, id -> registry.verifier().verify(id), id -> registry.aliases().promote(id),
          id -> registry.versions().dir(id), id -> RegistryPaths.of(new org.apache.hadoop.fs.Path(tmp.toUri()), "m").exports(id))) {
        assertThatThrownBy(() -> entry.accept(escape))
            .isInstanceOf(GlmpipeException.class)
            .satisfies(e -> assertThat(((GlmpipeException) e).exitCode()).isEqualTo(GlmpipeException.EXIT_USAGE))
            .hasMessageContaining("must be a version id like 20261123-162116-b5b8");
      }
    }
    assertThat(registry.aliases().get(AliasStore.CHAMPION)).isEmpty();
  }

  @Test
  void aDirectoryNotNamedLikeAVersionIsNotListedAsOne() throws IOException {
    ModelRegistry registry = registry();
    String v = createVersion(registry);
    Path copy = Files.createDirectories(tmp.resolve("m/versions/not-an-id"));
    Files.copy(tmp.resolve("m/versions/" + v + "/manifest.json"), copy.resolve("manifest.json"));
    assertThat(registry.versions().list()).containsExactly(v);
    assertThat(registry.versions().incomplete()).containsExactly("not-an-id");
  }

  @Test
  void aVersionReachedThroughAnAliasCarriesItsPin() {
    ModelRegistry registry = registry();
    String v1 = createVersion(registry);
    String v2 = createVersion(registry);
    registry.aliases().promote(v1);
    assertThat(registry.resolve(AliasStore.CHAMPION).id()).isEqualTo(v1);
    assertThat(registry.resolve(AliasStore.CHAMPION).alias()).isEqualTo(AliasStore.CHAMPION);
    assertThat(registry.resolve(v2).alias()).isNull();
    // Ids sort by creation time to the second, then by a random suffix: the newest is the larger.
    assertThat(registry.versionOrLatest(null).id()).isEqualTo(v1.compareTo(v2) > 0 ? v1 : v2);
    assertThat(registry.version(v1).manifest().version()).isEqualTo(v1);
    assertThat(registry.version(v1).evaluationPath().toString()).endsWith("/m/evaluations/" + v1 + ".json");
    assertThat(registry.version(v1).exportDir().toString()).endsWith("/m/exports/" + v1);
  }

  @ParameterizedTest(name = "atomic rename: {0}")
  @ValueSource(booleans = {true, false})
  void exportsArePublishedOnceWithChecksumsAndVerifiedBeforeUse(boolean atomicRename) throws IOException {
    ModelRegistry registry = registry(atomicRename);
    String v = createVersion(registry);
    ExportStore exports = registry.exports();
    // Files left by a writer that died (no manifest) are not exports, and are replaced.
    Path leftover = Files.createDirectories(tmp.resolve("m/exports/" + v)).resolve("stale.json");
    Files.writeString(leftover, "{}");
    assertThat(exports.exists(v)).isFalse();
    exports.publish(v, registry.version(v).manifestSha256(), dir -> {
      try {
        RegistryFixtures.writeFile(dir.getFileSystem(conf), new org.apache.hadoop.fs.Path(dir, "model.onnx"), "graph");
        RegistryFixtures.writeFile(dir.getFileSystem(conf), new org.apache.hadoop.fs.Path(dir, "coefficients.json"), "{}");
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    assertThat(exports.exists(v)).isTrue();
    assertThat(leftover).doesNotExist();
    try (var listed = Files.list(tmp.resolve("m/exports"))) {
      assertThat(listed.map(p -> p.getFileName().toString())).containsExactly(v);  // no draft left beside it
    }
    VersionVerifier.Verification ok = exports.verify(v);
    assertThat(ok.ok()).isTrue();
    assertThat(ok.files()).isEqualTo(2);
    assertThat(exports.requireVerified(v).toString()).endsWith("/m/exports/" + v);

    assertThatThrownBy(() -> exports.publish(v, "x", dir -> { })).hasMessageContaining("already published");
    Files.writeString(tmp.resolve("m/exports/" + v + "/model.onnx"), "another graph");
    assertThat(exports.verify(v).problems()).singleElement().asString().startsWith("model.onnx: sha256 ");
    assertThatThrownBy(() -> exports.requireVerified(v))
        .isInstanceOf(GlmpipeException.class)
        .satisfies(e -> assertThat(((GlmpipeException) e).exitCode()).isEqualTo(GlmpipeException.EXIT_DATA_CONTRACT))
        .hasMessageContaining("the exports of model 'm' version " + v + " failed verification, refusing to use them: model.onnx: sha256");
  }
}
