package dev.glmpipe.registry;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.io.JsonFiles;
import dev.glmpipe.io.StoreSemantics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;

/**
 * The model registry of one model name, on the Hadoop FileSystem API (file://, hdfs://, s3a://,
 * gs://):
 *
 * <pre>
 * models/&lt;name&gt;/versions/&lt;version&gt;/{model/, profile.json, manifest.json}   immutable once visible
 * models/&lt;name&gt;/evaluations/&lt;version&gt;.json        evaluate's metrics and gate decision
 * models/&lt;name&gt;/reports/&lt;version&gt;.html            evaluate's HTML report
 * models/&lt;name&gt;/exports/&lt;version&gt;/               export's portable files (JSON, ONNX)
 * models/&lt;name&gt;/aliases/{champion,previous}.json    alias files, replaced atomically
 * models/&lt;name&gt;/aliases/history/&lt;time&gt;-&lt;id&gt;-&lt;alias&gt;.json   append-only audit of alias changes
 * </pre>
 *
 * <p><b>Visibility.</b> {@code manifest.json} is the commit marker: it is written last, after
 * every other file, and holds their SHA-256. Readers ({@link #versions()}, {@link #versionDir})
 * see only version directories that have it. Where rename is atomic (local disk, HDFS) the
 * version is also written under {@code versions/_tmp-<version>} and renamed into place, so not
 * even its directory shows before it is whole. On object stores, where a rename is a copy, the
 * version is written in place and the manifest's single PUT is what publishes it. Either way a
 * writer killed midway leaves only a directory readers ignore.
 *
 * <p><b>Integrity.</b> {@link #verify} recomputes every file's SHA-256 against the manifest;
 * an alias also pins the SHA-256 of the manifest it promoted, so an edited manifest is caught
 * too. Scoring uses only a verified champion.
 */
public final class ModelRegistry {
  public static final String CHAMPION = "champion";
  public static final String PREVIOUS = "previous";
  public static final String MANIFEST = "manifest.json";
  public static final String MODEL_DIR = "model";

  private static final DateTimeFormatter VERSION_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
  private static final DateTimeFormatter HISTORY_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'");
  private static final String TMP_PREFIX = "_tmp-";

  private final Configuration conf;
  private final Path root;
  private final String name;

  public ModelRegistry(Configuration conf, Path modelsRoot, String name) {
    this.conf = conf;
    this.root = new Path(modelsRoot, name);
    this.name = name;
  }

  /**
   * An alias file's content: the version, when it was set, the version it replaced, and the
   * SHA-256 of the version's manifest at promotion time.
   */
  public record Alias(String version, String updatedAt, String previousVersion, String manifestSha256) {}

  /** One audit record: who moved which alias from what to what, and how. */
  public record AliasChange(String alias, String action, String version, String replacedVersion, String at, String by) {}

  /** The result of checking a version's files against its manifest. */
  public record Verification(String model, String version, boolean ok, int files, String manifestSha256,
      List<String> problems) {}

  public String name() {
    return name;
  }

  public Path root() {
    return root;
  }

  /**
   * Creates a new version. {@code writer} fills the draft directory (model, profile, …) and
   * returns the manifest; the registry adds every file's SHA-256 and writes the manifest last,
   * which publishes the version (see the class comment). Version ids sort by creation time.
   */
  public String createVersion(Function<VersionDraft, ModelManifest> writer) {
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    String version = VERSION_TIME.format(now) + "-" + UUID.randomUUID().toString().substring(0, 4);
    Path versions = new Path(root, "versions");
    Path target = new Path(versions, version);
    boolean committed = false;
    Path work = target;
    try {
      FileSystem fs = fs();
      boolean rename = StoreSemantics.renameIsAtomic(fs, conf);
      work = rename ? new Path(versions, TMP_PREFIX + version) : target;
      if (fs.exists(target)) {
        throw new IOException(target + " already exists");
      }
      fs.mkdirs(work);
      ModelManifest manifest = writer.apply(new VersionDraft(version, now.toString(), work));
      if (!version.equals(manifest.version())) {
        throw new IllegalStateException("the manifest names version " + manifest.version() + ", not " + version);
      }
      Map<String, String> files = FileChecksums.of(fs, work, MANIFEST);
      JsonFiles.write(conf, new Path(work, MANIFEST), manifest.withFiles(files));
      if (rename && !fs.rename(work, target)) {
        throw new IOException("could not move " + work + " to " + target);
      }
      committed = true;
      return version;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create model version under " + versions, e);
    } finally {
      if (!committed || !work.equals(target)) {
        deleteQuietly(work);
      }
    }
  }

  /** The not-yet-visible directory of a version being written. */
  public record VersionDraft(String version, String createdAt, Path dir) {
    public Path modelDir() {
      return new Path(dir, MODEL_DIR);
    }
  }

  /** Visible (committed) versions, oldest first. */
  public List<String> versions() {
    List<String> out = new ArrayList<>();
    for (FileStatus st : versionDirs()) {
      if (hasManifest(st.getPath())) {
        out.add(st.getPath().getName());
      }
    }
    out.sort(Comparator.naturalOrder());
    return out;
  }

  /**
   * Directories under {@code versions/} that are not (yet) versions: a writer still at work, or
   * one that died. Readers ignore them; {@code models list} shows them so they can be removed.
   */
  public List<String> incompleteVersions() {
    List<String> out = new ArrayList<>();
    for (FileStatus st : versionDirs()) {
      if (!hasManifest(st.getPath())) {
        out.add(st.getPath().getName());
      }
    }
    out.sort(Comparator.naturalOrder());
    return out;
  }

  public String latestVersion() {
    List<String> all = versions();
    if (all.isEmpty()) {
      throw GlmpipeException.usage("model '" + name + "' has no versions under " + root + ": run train first");
    }
    return all.get(all.size() - 1);
  }

  public Path versionDir(String version) {
    Path dir = new Path(new Path(root, "versions"), version);
    if (version.startsWith(TMP_PREFIX) || !hasManifest(dir)) {
      throw GlmpipeException.usage("model '" + name + "' has no version '" + version + "' under " + root);
    }
    return dir;
  }

  public Path modelDir(String version) {
    return new Path(versionDir(version), MODEL_DIR);
  }

  /** The version's fitted pipeline (see {@link PipelineLoader}: its stages are read in parallel). */
  public PipelineModel loadModel(String version) {
    return PipelineLoader.load(conf, modelDir(version));
  }

  /**
   * Read as stored (raw on a local disk): an edited manifest must reach {@link #verify}, which
   * names what changed, rather than fail on Hadoop's checksum side file.
   */
  public ModelManifest manifest(String version) {
    Path path = new Path(versionDir(version), MANIFEST);
    try (java.io.InputStream in = StoreSemantics.raw(fs()).open(path)) {
      return JsonFiles.MAPPER.readValue(in, ModelManifest.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  /** SHA-256 of the version's manifest.json as stored. */
  public String manifestSha256(String version) {
    Path path = new Path(versionDir(version), MANIFEST);
    try {
      return FileChecksums.sha256(fs(), path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  public Path evaluationPath(String version) {
    return new Path(new Path(root, "evaluations"), version + ".json");
  }

  public Path reportPath(String version) {
    return new Path(new Path(root, "reports"), version + ".html");
  }

  public Path exportDir(String version) {
    return new Path(new Path(root, "exports"), version);
  }

  /**
   * Recomputes the SHA-256 of every file of {@code version} and compares with its manifest:
   * changed, missing and unexpected files are problems.
   */
  public Verification verify(String version) {
    return verify(version, null, null);
  }

  private Verification verify(String version, String pinnedManifestSha, String pinnedBy) {
    Path dir = versionDir(version);
    List<String> problems = new ArrayList<>();
    try {
      FileSystem fs = fs();
      String manifestSha = FileChecksums.sha256(fs, new Path(dir, MANIFEST));
      if (pinnedManifestSha != null && !pinnedManifestSha.equals(manifestSha)) {
        problems.add(MANIFEST + ": sha256 " + manifestSha + " differs from " + pinnedManifestSha + " recorded by alias " + pinnedBy);
      }
      ModelManifest manifest;
      try {
        manifest = manifest(version);
      } catch (UncheckedIOException e) {
        problems.add(MANIFEST + ": not a readable manifest (" + e.getCause().getMessage().lines().findFirst().orElse("") + ")");
        return new Verification(name, version, false, 0, manifestSha, problems);
      }
      if (!version.equals(manifest.version())) {
        problems.add(MANIFEST + ": names version " + manifest.version() + ", not " + version);
      }
      Map<String, String> expected = manifest.files();
      if (expected == null || expected.isEmpty()) {
        problems.add(MANIFEST + ": lists no file checksums (written before glmpipe recorded them): train a new version");
        return new Verification(name, version, false, 0, manifestSha, problems);
      }
      Map<String, String> actual = FileChecksums.of(fs, dir, MANIFEST);
      expected.forEach((file, sha) -> {
        String found = actual.get(file);
        if (found == null) {
          problems.add(file + ": missing");
        } else if (!found.equals(sha)) {
          problems.add(file + ": sha256 " + found + " differs from the manifest's " + sha);
        }
      });
      actual.keySet().stream().filter(f -> !expected.containsKey(f)).forEach(f -> problems.add(f + ": not in the manifest"));
      return new Verification(name, version, problems.isEmpty(), expected.size(), manifestSha, problems);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot verify " + dir, e);
    }
  }

  /** Throws a data error (exit 3) naming the first problems if the version does not verify. */
  public Verification requireVerified(String version) {
    return require(verify(version));
  }

  private Verification require(Verification v) {
    if (!v.ok()) {
      List<String> shown = v.problems().subList(0, Math.min(3, v.problems().size()));
      throw GlmpipeException.dataContract("model '" + name + "' version " + v.version() + " failed verification, refusing to use it: "
          + String.join("; ", shown) + (v.problems().size() > shown.size() ? "; and " + (v.problems().size() - shown.size()) + " more" : "")
          + " (glmpipe models verify lists all)");
    }
    return v;
  }

  /**
   * The champion's version after checking every file against its manifest and the manifest
   * against the SHA-256 the alias pinned; a tampered or damaged champion is refused (exit 3).
   */
  public String verifiedChampion() {
    Alias champion = championAlias();
    requireVerified(champion, CHAMPION);
    return champion.version();
  }

  /** The champion alias as it is now, or a clear error telling the user how to get one. */
  public Alias championAlias() {
    return alias(CHAMPION).orElseThrow(this::noChampion);
  }

  /** Throws a data error (exit 3) unless {@code alias}'s version verifies and matches its pin. */
  public void requireVerified(Alias alias, String aliasName) {
    require(verify(alias.version(), alias.manifestSha256(), aliasName));
  }

  /**
   * The version {@code versionOrAlias} names, verified like the champion: its files against its
   * manifest and, for an alias, the manifest against the SHA-256 the alias pinned (exit 3 if not).
   */
  public String verifiedVersion(String versionOrAlias) {
    Optional<Alias> alias = alias(versionOrAlias);
    if (alias.isEmpty()) {
      return requireVerified(versionOrAlias).version();
    }
    requireVerified(alias.get(), versionOrAlias);
    return alias.get().version();
  }

  public Optional<Alias> alias(String alias) {
    Path path = aliasPath(alias);
    try {
      if (!fs().exists(path)) {
        return Optional.empty();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + path, e);
    }
    return Optional.of(JsonFiles.read(conf, path, Alias.class));
  }

  /** The champion's version, or a clear error telling the user how to get one. */
  public String champion() {
    return championAlias().version();
  }

  private GlmpipeException noChampion() {
    return GlmpipeException.usage(
        "model '" + name + "' has no champion yet (no " + aliasPath(CHAMPION) + "): run train, evaluate and export first");
  }

  /**
   * Points {@code champion} at a verified {@code version}, keeping the old champion as
   * {@code previous}, and appends an audit record. Each alias file is replaced atomically, so
   * readers see the old or the new version, never garbage; two promotes racing each other
   * leave the champion at one of the two (and {@code previous} at whatever the loser replaced).
   *
   * @return the audit record, or empty when {@code version} already was the champion
   */
  public Optional<AliasChange> promote(String version) {
    return move(version, "promote");
  }

  /**
   * Makes {@code previous} the champion again and the current champion {@code previous}: a
   * second rollback undoes the first. Audited like a promote.
   */
  public AliasChange rollback() {
    Alias previous = alias(PREVIOUS).orElseThrow(() -> GlmpipeException.usage(
        "model '" + name + "' has no previous champion to roll back to (no " + aliasPath(PREVIOUS) + ")"));
    require(verify(previous.version(), previous.manifestSha256(), PREVIOUS));
    return move(previous.version(), "rollback").orElseThrow(() -> GlmpipeException.usage(
        "model '" + name + "': previous and champion are both " + previous.version() + ", nothing to roll back"));
  }

  private Optional<AliasChange> move(String version, String action) {
    Verification verified = requireVerified(version);
    String now = ZonedDateTime.now(ZoneOffset.UTC).toString();
    Optional<Alias> current = alias(CHAMPION);
    if (current.isPresent() && current.get().version().equals(version)) {
      return Optional.empty();  // already champion: keep its rollback pointer as it is
    }
    if (current.isPresent()) {
      JsonFiles.replaceAtomically(conf, aliasPath(PREVIOUS),
          new Alias(current.get().version(), now, null, current.get().manifestSha256()));
    }
    String replaced = current.map(Alias::version).orElse(null);
    JsonFiles.replaceAtomically(conf, aliasPath(CHAMPION), new Alias(version, now, replaced, verified.manifestSha256()));
    AliasChange change = new AliasChange(CHAMPION, action, version, replaced, now, System.getProperty("user.name", "unknown"));
    // A new file per change, never rewritten: the history cannot lose an entry to a race.
    Path record = new Path(historyDir(), HISTORY_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)) + "-"
        + UUID.randomUUID().toString().substring(0, 8) + "-" + CHAMPION + ".json");
    JsonFiles.write(conf, record, change);
    return Optional.of(change);
  }

  /** Every alias change, oldest first. */
  public List<AliasChange> history() {
    Path dir = historyDir();
    try {
      FileSystem fs = fs();
      if (!fs.exists(dir)) {
        return List.of();
      }
      List<Path> files = new ArrayList<>();
      for (FileStatus st : fs.listStatus(dir)) {
        if (st.isFile() && st.getPath().getName().endsWith(".json") && !st.getPath().getName().startsWith(".")) {
          files.add(st.getPath());
        }
      }
      files.sort(Comparator.comparing(Path::getName));
      return files.stream().map(p -> JsonFiles.read(conf, p, AliasChange.class)).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  private Path aliasPath(String alias) {
    return new Path(new Path(root, "aliases"), alias + ".json");
  }

  private Path historyDir() {
    return new Path(new Path(root, "aliases"), "history");
  }

  private List<FileStatus> versionDirs() {
    Path versions = new Path(root, "versions");
    try {
      FileSystem fs = fs();
      if (!fs.exists(versions)) {
        return List.of();
      }
      List<FileStatus> out = new ArrayList<>();
      for (FileStatus st : fs.listStatus(versions)) {
        String n = st.getPath().getName();
        if (st.isDirectory() && !n.startsWith(".")) {
          out.add(st);
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + versions, e);
    }
  }

  private boolean hasManifest(Path versionDir) {
    if (versionDir.getName().startsWith(TMP_PREFIX)) {
      return false;
    }
    try {
      return fs().exists(new Path(versionDir, MANIFEST));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + versionDir, e);
    }
  }

  private FileSystem fs() throws IOException {
    return root.getFileSystem(conf);
  }

  private void deleteQuietly(Path path) {
    try {
      FileSystem fs = fs();
      if (fs.exists(path)) {
        fs.delete(path, true);
      }
    } catch (IOException ignored) {
      // A leftover directory without a manifest is invisible to readers and harmless.
    }
  }

  @Override
  public String toString() {
    return "ModelRegistry[" + Objects.toString(root) + "]";
  }
}
