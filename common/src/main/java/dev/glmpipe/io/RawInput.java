package dev.glmpipe.io;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.config.DatasetConfig.CsvConfig;
import dev.glmpipe.config.DatasetConfig.InputConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Reads one raw partition with every column as a string, so that the data contract, not the
 * file reader, decides what is valid: nothing is silently coerced to null on the way in.
 *
 * <p>The result has the file's own columns plus {@link #CORRUPT_RECORD} (the raw line when the
 * reader could not split it into the header's fields) and {@link #SOURCE_FILE}.
 */
public final class RawInput {
  public static final String CORRUPT_RECORD = "_corrupt_record";
  public static final String SOURCE_FILE = "_source_file";

  private RawInput() {}

  public static Dataset<Row> read(SparkSession spark, Path partition, InputConfig input) {
    requireExists(spark, partition);
    List<FileStatus> files = dataFiles(spark, partition);
    if (files.isEmpty()) {
      // Spark would only say it cannot infer a schema.
      throw GlmpipeException.dataContract("raw input partition has no data files: " + partition);
    }
    String path = partition.toString();
    Dataset<Row> rows = switch (input.format()) {
      case CSV -> readCsv(spark, path, input.csv(), files);
      case JSON -> readJson(spark, path);
      // Parquet keeps its types: columns that already match the contract skip any text parsing.
      case PARQUET -> spark.read().parquet(path);
    };
    if (!Arrays.asList(rows.columns()).contains(CORRUPT_RECORD)) {
      rows = rows.withColumn(CORRUPT_RECORD, functions.lit(null).cast(DataTypes.StringType));
    }
    return rows.withColumn(SOURCE_FILE, functions.input_file_name());
  }

  private static Dataset<Row> readCsv(SparkSession spark, String path, CsvConfig csv, List<FileStatus> files) {
    // The header decides which columns exist; read it first (one line), then read every field
    // as a string under those names, keeping lines of the wrong shape in CORRUPT_RECORD.
    String[] header = csv.header() && files.stream().allMatch(f -> f.getLen() == 0) ? new String[0]
        : csvReader(spark, csv).csv(path).columns();
    if (header.length == 0) {
      throw GlmpipeException.dataContract("raw input partition has no header line, its files are empty: " + path + " ("
          + String.join(", ", files.stream().map(f -> f.getPath().getName()).toList()) + ")");
    }
    Set<String> seen = new HashSet<>();
    for (String name : header) {
      // Spark renames a repeated name (plan → plan6, plan10): the contract would then miss it.
      if (!seen.add(name.toLowerCase(java.util.Locale.ROOT))) {
        throw GlmpipeException.dataContract("column " + name + " appears more than once in the header of " + path);
      }
    }
    List<StructField> fields = new ArrayList<>();
    for (String name : header) {
      fields.add(DataTypes.createStructField(name, DataTypes.StringType, true));
    }
    fields.add(DataTypes.createStructField(CORRUPT_RECORD, DataTypes.StringType, true));
    return csvReader(spark, csv)
        .schema(new StructType(fields.toArray(StructField[]::new)))
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", CORRUPT_RECORD)
        // Every file's header must match the first one's: otherwise a file with its columns in
        // another order would be read with its values under the wrong names.
        .option("enforceSchema", false)
        .csv(path);
  }

  private static DataFrameReader csvReader(SparkSession spark, CsvConfig csv) {
    return spark.read()
        .option("header", csv.header())
        .option("sep", csv.delimiter())
        .option("quote", csv.quote())
        // RFC 4180: a quote inside a quoted value is written twice ("the ""west"""). Spark's
        // default escape is a backslash, which would keep both quotes of each pair in the value.
        .option("escape", csv.quote())
        .option("encoding", csv.encoding())
        .option("inferSchema", false);
  }

  private static Dataset<Row> readJson(SparkSession spark, String path) {
    return spark.read()
        .option("primitivesAsString", true)
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", CORRUPT_RECORD)
        .json(path);
  }

  /**
   * Runs {@code action} (anything that reads the input) and turns a failure to read a file into
   * a data-contract error naming the file, instead of a page of executor stack trace.
   */
  public static <T> T reading(java.util.function.Supplier<T> action) {
    try {
      return action.get();
    } catch (Exception e) { // Spark throws its checked SparkException from Scala code
      GlmpipeException named = namingTheFile(e);
      throw named != null ? named : RawInput.<RuntimeException>rethrow(e);
    }
  }

  /**
   * {@link #reading(java.util.function.Supplier)} for a read of {@code partition}. A compressed
   * file that ends too early (a truncated {@code .gz}) fails while its lines are read, where
   * Spark names no file: the partition's compressed files are then read through on the driver
   * until one fails the same way, and the error names it. When none does (a connection reset, say)
   * the failure stays what it was.
   */
  public static <T> T reading(SparkSession spark, Path partition, java.util.function.Supplier<T> action) {
    try {
      return action.get();
    } catch (Exception e) {
      GlmpipeException named = namingTheFile(e);
      if (named != null) {
        throw named;
      }
      if (causes(e).stream().anyMatch(c -> c instanceof java.io.EOFException || c instanceof java.util.zip.ZipException)) {
        String broken = brokenCompressedFile(spark, partition);
        if (broken != null) {
          throw new GlmpipeException(GlmpipeException.EXIT_DATA_CONTRACT,
              "cannot read input file " + broken + ": " + rootMessage(e) + " (truncated or corrupt)", e);
        }
      }
      throw RawInput.<RuntimeException>rethrow(e);
    }
  }

  private static GlmpipeException namingTheFile(Exception e) {
    for (Throwable c : causes(e)) {
      java.util.regex.Matcher m = c.getMessage() == null ? null : UNREADABLE_FILE.matcher(c.getMessage());
      if (m != null && m.find()) {
        return new GlmpipeException(GlmpipeException.EXIT_DATA_CONTRACT,
            "cannot read input file " + m.group(1) + ": " + rootMessage(c), e);
      }
    }
    return null;
  }

  private static List<Throwable> causes(Throwable e) {
    List<Throwable> chain = new ArrayList<>();
    for (Throwable c = e; c != null && !chain.contains(c); c = c.getCause()) {
      chain.add(c);
    }
    return chain;
  }

  /** The innermost cause's message on one line: Spark's header-mismatch message spans several. */
  private static String rootMessage(Throwable e) {
    List<Throwable> chain = causes(e);
    Throwable root = chain.get(chain.size() - 1);
    return root.getMessage() == null ? root.toString()
        : String.join("; ", root.getMessage().lines().map(String::trim).filter(l -> !l.isEmpty()).toList());
  }

  /** The first compressed file of {@code partition} that cannot be read to its end, or null. */
  private static String brokenCompressedFile(SparkSession spark, Path partition) {
    org.apache.hadoop.conf.Configuration conf = spark.sparkContext().hadoopConfiguration();
    org.apache.hadoop.io.compress.CompressionCodecFactory codecs = new org.apache.hadoop.io.compress.CompressionCodecFactory(conf);
    byte[] buffer = new byte[1 << 16];
    for (FileStatus f : dataFiles(spark, partition)) {
      org.apache.hadoop.io.compress.CompressionCodec codec = codecs.getCodec(f.getPath());
      if (codec == null) {
        continue;
      }
      try (java.io.InputStream in = codec.createInputStream(f.getPath().getFileSystem(conf).open(f.getPath()))) {
        while (in.read(buffer) >= 0) {
          // read through
        }
      } catch (IOException | RuntimeException broken) {
        return f.getPath().toString();
      }
    }
    return null;
  }

  /** Rethrows as is, checked or not: wrapping would bury Spark's own message one level down. */
  @SuppressWarnings("unchecked")
  private static <E extends Exception> E rethrow(Exception e) throws E {
    throw (E) e;
  }

  /**
   * How Spark 3.5 and 4.x name the file behind a failed read, the file whose CSV header
   * differs from the first file's, and the Parquet file whose footer cannot be read; group 1 is
   * the path.
   */
  private static final java.util.regex.Pattern UNREADABLE_FILE =
      java.util.regex.Pattern.compile("(?:while reading file|CSV file:|footer for file:) (\\S+?)\\.?(?:\\s|$)");

  /**
   * The partition's data files, as Spark's file sources see them: files whose names start with
   * {@code _} or {@code .} ({@code _SUCCESS}, checksums) are not data.
   */
  private static List<FileStatus> dataFiles(SparkSession spark, Path partition) {
    try {
      FileSystem fs = partition.getFileSystem(spark.sparkContext().hadoopConfiguration());
      List<FileStatus> files = new ArrayList<>();
      var it = fs.listFiles(partition, true);
      while (it.hasNext()) {
        FileStatus f = it.next();
        if (!hidden(partition, f.getPath())) {
          files.add(f);
        }
      }
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + partition, e);
    }
  }

  private static boolean hidden(Path partition, Path file) {
    for (Path p = file; p.depth() > partition.depth(); p = p.getParent()) {
      if (p.getName().startsWith("_") || p.getName().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  private static void requireExists(SparkSession spark, Path partition) {
    try {
      FileSystem fs = partition.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(partition)) {
        throw GlmpipeException.dataContract("raw input partition not found: " + partition);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + partition, e);
    }
  }
}
