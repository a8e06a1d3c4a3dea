package dev.glmpipe.scorer;

import dev.glmpipe.scorer.json.Json;
import dev.glmpipe.scorer.json.JsonException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A version's published exports directory, checked as the registry checks it: its
 * {@code manifest.json} lists the SHA-256 of every other file, and a file that is changed,
 * missing or not listed fails verification (Hadoop's {@code .name.crc} side files aside). The
 * bytes of {@code coefficients.json} are hashed and kept in one read, so what is scored is
 * what was verified.
 *
 * @param manifestSha256 the SHA-256 of the exports' own manifest
 * @param versionManifestSha256 the SHA-256 of the version manifest the exports were made from
 *     (what the champion alias pins)
 */
public record VerifiedExport(Path dir, String model, String version, String manifestSha256, String versionManifestSha256,
    String coefficientsJson) {
  public static final String MANIFEST = "manifest.json";
  public static final String COEFFICIENTS = "coefficients.json";

  /**
   * @throws ExportVerificationException naming the first problem (and how many more there are)
   * @throws IOException if the directory cannot be read
   */
  public static VerifiedExport read(Path dir) throws IOException {
    Path manifestPath = dir.resolve(MANIFEST);
    if (!Files.isRegularFile(manifestPath)) {
      throw new ExportVerificationException(dir + ": no " + MANIFEST + " (the exports are not published)");
    }
    byte[] manifestBytes = Files.readAllBytes(manifestPath);
    Map<String, Object> manifest;
    try {
      manifest = Doc.object(Json.parse(new String(manifestBytes, StandardCharsets.UTF_8)), MANIFEST);
    } catch (JsonException | ExportFormatException e) {
      throw new ExportVerificationException(dir + ": " + MANIFEST + " is not a readable exports manifest (" + e.getMessage() + ")");
    }
    String model = manifest.get("model") instanceof String s ? s : "?";
    String version = manifest.get("version") instanceof String s ? s : "?";
    List<String> problems = new ArrayList<>();
    if (!dir.getFileName().toString().equals(version)) {
      problems.add(MANIFEST + ": names version " + version + ", not " + dir.getFileName());
    }
    Map<String, String> expected = new TreeMap<>();
    if (manifest.get("files") instanceof Map<?, ?> files) {
      files.forEach((k, v) -> expected.put(String.valueOf(k), String.valueOf(v)));
    }
    Map<String, byte[]> found = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
        String rel = dir.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
        String base = p.getFileName().toString();
        if (rel.equals(MANIFEST) || (base.startsWith(".") && base.endsWith(".crc"))) {
          continue;
        }
        found.put(rel, Files.readAllBytes(p));
      }
    }
    expected.forEach((file, sha) -> {
      byte[] bytes = found.get(file);
      if (bytes == null) {
        problems.add(file + ": missing");
      } else if (!sha256(bytes).equals(sha)) {
        problems.add(file + ": sha256 " + sha256(bytes) + " differs from the manifest's " + sha);
      }
    });
    found.keySet().stream().filter(f -> !expected.containsKey(f)).forEach(f -> problems.add(f + ": not in the manifest"));
    if (!expected.containsKey(COEFFICIENTS) && !problems.stream().anyMatch(p -> p.startsWith(COEFFICIENTS))) {
      problems.add(COEFFICIENTS + ": not in the manifest");
    }
    if (!problems.isEmpty()) {
      throw new ExportVerificationException("the exports of model '" + model + "' version " + version
          + " failed verification, refusing to use them: " + problems.get(0)
          + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""));
    }
    String versionManifest = manifest.get("version_manifest_sha256") instanceof String s ? s : null;
    return new VerifiedExport(dir, model, version, sha256(manifestBytes), versionManifest,
        new String(found.get(COEFFICIENTS), StandardCharsets.UTF_8));
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
