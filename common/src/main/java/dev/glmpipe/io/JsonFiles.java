package dev.glmpipe.io;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;

/**
 * Small JSON documents (manifests, metrics, aliases) on any Hadoop FileSystem, using the Jackson
 * that Spark already ships. Keys are snake_case to match the YAML config.
 */
public final class JsonFiles {
  public static final ObjectMapper MAPPER = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private JsonFiles() {}

  public static String toJson(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One line, for the launcher's result on stdout. */
  public static String toJsonLine(Object value) {
    try {
      return MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SHA-256 (hex) of {@code value} as JSON with map keys sorted, so equal content hashes the same whatever its order. */
  public static String sha256Sorted(Object value) {
    try {
      byte[] json = MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT)
          .with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).writeValueAsBytes(value);
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(json));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static <T> T read(Configuration conf, Path path, Class<T> type) {
    try (InputStream in = path.getFileSystem(conf).open(path)) {
      return MAPPER.readValue(in, type);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  /** Writes a file that does not exist yet (inside a directory not yet visible to readers). */
  public static void write(Configuration conf, Path path, Object value) {
    try (OutputStream out = path.getFileSystem(conf).create(path, false)) {
      out.write(toJson(value).getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + path, e);
    }
  }

  /** {@link #write(Configuration, Path, Object)} for any bytes (an ONNX file). */
  public static void write(Configuration conf, Path path, byte[] bytes) {
    try (OutputStream out = path.getFileSystem(conf).create(path, false)) {
      out.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + path, e);
    }
  }

  /**
   * Replaces {@code path} so readers see the old or the new content, never a partial file.
   * Where rename is atomic (local disk, HDFS) the new content is written beside it and renamed
   * over it; on object stores it is one PUT, which becomes visible whole when the stream closes
   * (see {@link StoreSemantics}).
   */
  public static void replaceAtomically(Configuration conf, Path path, Object value) {
    replaceAtomically(conf, path, toJson(value).getBytes(StandardCharsets.UTF_8));
  }

  /** {@link #replaceAtomically(Configuration, Path, Object)} for any bytes (an HTML report, an ONNX file). */
  public static void replaceAtomically(Configuration conf, Path path, byte[] bytes) {
    try {
      FileSystem fs = path.getFileSystem(conf);
      if (!StoreSemantics.renameIsAtomic(fs, conf)) {
        try (OutputStream out = fs.create(path, true)) {
          out.write(bytes);
        }
        return;
      }
      FileSystem raw = StoreSemantics.raw(fs);
      Path tmp = new Path(path.getParent(), "." + path.getName() + "." + UUID.randomUUID() + ".tmp");
      try {
        raw.mkdirs(path.getParent());
        try (OutputStream out = raw.create(tmp, false)) {
          out.write(bytes);
        }
        if (raw != fs) {
          // Local disk: rename(2) replaces the target in one step. A checksum side file left by
          // an older writer would no longer match, so it goes.
          raw.delete(new Path(path.getParent(), "." + path.getName() + ".crc"), false);
          if (!raw.rename(tmp, path)) {
            throw new IOException("rename " + tmp + " -> " + path + " failed");
          }
        } else {
          FileContext.getFileContext(path.toUri(), conf).rename(tmp, path, Options.Rename.OVERWRITE);
        }
      } finally {
        try {
          raw.delete(tmp, false);
        } catch (IOException ignored) {
          // Best effort: a leftover hidden temp file is harmless.
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot replace " + path, e);
    }
  }
}
