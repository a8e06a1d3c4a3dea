package dev.glmpipe.registry;

import dev.glmpipe.io.StoreSemantics;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * SHA-256 of every file under a directory, keyed by path relative to it. Bytes are read as
 * stored (the raw local file system on a local disk), so a changed byte shows up here as a
 * different hash rather than as Hadoop's own checksum error.
 */
public final class FileChecksums {
  private FileChecksums() {}

  /** Every file under {@code dir} except {@code exclude} (a relative path) and Hadoop's .crc side files. */
  public static Map<String, String> of(FileSystem fs, Path dir, String exclude) throws IOException {
    FileSystem raw = StoreSemantics.raw(fs);
    Path base = raw.makeQualified(dir);
    String prefix = base.toUri().getPath() + "/";
    Map<String, String> out = new TreeMap<>();
    for (Path p : filesUnder(raw, base)) {
      if (StoreSemantics.isChecksumSideFile(p.getName())) {
        continue;
      }
      String rel = p.toUri().getPath().substring(prefix.length());
      if (!rel.equals(exclude)) {
        out.put(rel, sha256(raw, p));
      }
    }
    return out;
  }

  /**
   * The files under {@code dir}, at any depth. On an object store one flat listing; on the local
   * disk a walk with {@code listStatus}, because the local file system's recursive listing
   * builds each entry with its owner and permissions, which it reads by running {@code ls} once
   * per file (most of a second for a model version).
   */
  static List<Path> filesUnder(FileSystem fs, Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    if (!(fs instanceof RawLocalFileSystem)) {
      RemoteIterator<LocatedFileStatus> it = fs.listFiles(dir, true);
      while (it.hasNext()) {
        files.add(it.next().getPath());
      }
      return files;
    }
    for (FileStatus st : fs.listStatus(dir)) {
      if (st.isDirectory()) {
        files.addAll(filesUnder(fs, st.getPath()));
      } else {
        files.add(st.getPath());
      }
    }
    return files;
  }

  /**
   * What differs between the checksums a manifest recorded and those found now: changed,
   * missing and unexpected files, each named (empty when they agree).
   */
  public static List<String> problems(Map<String, String> expected, Map<String, String> actual) {
    List<String> problems = new ArrayList<>();
    expected.forEach((file, sha) -> {
      String found = actual.get(file);
      if (found == null) {
        problems.add(file + ": missing");
      } else if (!found.equals(sha)) {
        problems.add(file + ": sha256 " + found + " differs from the manifest's " + sha);
      }
    });
    actual.keySet().stream().filter(f -> !expected.containsKey(f)).forEach(f -> problems.add(f + ": not in the manifest"));
    return problems;
  }

  public static String sha256(FileSystem fs, Path file) throws IOException {
    MessageDigest digest = newDigest();
    byte[] buf = new byte[1 << 16];
    try (InputStream in = StoreSemantics.raw(fs).open(file)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        digest.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  public static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(newDigest().digest(bytes));
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
