package dev.glmpipe.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/** What the Parquet files of a directory say about themselves in their footers. */
public final class ParquetFooters {
  private ParquetFooters() {}

  /** Per column, whether any Parquet file in {@code dir} wrote it with a dictionary. */
  public static Map<String, Boolean> dictionaryEncoded(Path dir) {
    Map<String, Boolean> out = new HashMap<>();
    Configuration conf = new Configuration();
    try (var files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".parquet")).toList()) {
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(f.toUri()), conf))) {
          for (BlockMetaData block : reader.getFooter().getBlocks()) {
            for (ColumnChunkMetaData column : block.getColumns()) {
              out.merge(column.getPath().toDotString(), column.getEncodings().stream().anyMatch(e -> e.usesDictionary()),
                  Boolean::logicalOr);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
