package dev.glmpipe.io;

import java.util.Locale;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;

/**
 * What a storage scheme guarantees, so code that must never expose half-written files picks
 * the right way to publish them.
 *
 * <p>On local disks and HDFS a rename is atomic: write under a temporary name, rename into
 * place. On object stores (s3a, gs, abfs, …) a rename is a copy of every object followed by a
 * delete, so a reader can see some files copied and others not; there, what is atomic is a
 * single object PUT, which becomes visible whole when its stream closes.
 */
public final class StoreSemantics {
  /**
   * Hadoop config key that overrides the scheme-based answer ({@code true}/{@code false}); tests
   * use it to exercise the object-store path on a local disk.
   */
  public static final String ATOMIC_RENAME_KEY = "glmpipe.store.atomic-rename";

  private static final Set<String> ATOMIC_RENAME_SCHEMES = Set.of("file", "hdfs", "viewfs");

  private StoreSemantics() {}

  public static boolean renameIsAtomic(FileSystem fs, Configuration conf) {
    String forced = conf.get(ATOMIC_RENAME_KEY);
    if (forced != null) {
      return Boolean.parseBoolean(forced);
    }
    return ATOMIC_RENAME_SCHEMES.contains(fs.getUri().getScheme().toLowerCase(Locale.ROOT));
  }

  /**
   * The file system that reads and writes the bytes as they are. On the local disk Hadoop's
   * default file system keeps a {@code .crc} side file per file and renames the two one after
   * the other, so a reader racing a replacement could pair new bytes with an old checksum; the
   * raw file system has no side files and its rename is one rename(2).
   */
  public static FileSystem raw(FileSystem fs) {
    return fs instanceof LocalFileSystem local ? local.getRaw() : fs;
  }

  /** Hadoop's checksum side files ({@code .name.crc}), which the raw local view lists. */
  public static boolean isChecksumSideFile(String name) {
    return name.startsWith(".") && name.endsWith(".crc");
  }
}
