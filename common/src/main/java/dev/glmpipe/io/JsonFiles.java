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

  /**
   * Replaces {@code path} so readers see the old or the new content, never a partial file:
   * written beside it, then renamed over it. The rename is atomic on HDFS and local disks; on
   * S3A and GCS it is a copy, so a reader racing it may briefly find no file (never a partial
   * one).
   */
  public static void replaceAtomically(Configuration conf, Path path, Object value) {
    Path tmp = new Path(path.getParent(), "." + path.getName() + "." + UUID.randomUUID() + ".tmp");
    try {
      write(conf, tmp, value);
      FileContext.getFileContext(path.toUri(), conf).rename(tmp, path, Options.Rename.OVERWRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot replace " + path, e);
    } finally {
      try {
        FileSystem fs = tmp.getFileSystem(conf);
        fs.delete(tmp, false);
      } catch (IOException ignored) {
        // Best effort: a leftover hidden temp file is harmless.
      }
    }
  }
}
