package dev.glmpipe.registry;

import dev.glmpipe.io.StoreSemantics;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
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
    RemoteIterator<LocatedFileStatus> it = raw.listFiles(base, true);
    while (it.hasNext()) {
      LocatedFileStatus st = it.next();
      Path p = st.getPath();
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
