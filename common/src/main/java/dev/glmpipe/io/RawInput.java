package dev.glmpipe.io;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.config.DatasetConfig.CsvConfig;
import dev.glmpipe.config.DatasetConfig.InputConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
    String path = partition.toString();
    Dataset<Row> rows = switch (input.format()) {
      case CSV -> readCsv(spark, path, input.csv());
      case JSON -> readJson(spark, path);
      // Parquet keeps its types: columns that already match the contract skip any text parsing.
      case PARQUET -> spark.read().parquet(path);
    };
    if (!Arrays.asList(rows.columns()).contains(CORRUPT_RECORD)) {
      rows = rows.withColumn(CORRUPT_RECORD, functions.lit(null).cast(DataTypes.StringType));
    }
    return rows.withColumn(SOURCE_FILE, functions.input_file_name());
  }

  private static Dataset<Row> readCsv(SparkSession spark, String path, CsvConfig csv) {
    // The header decides which columns exist; read it first (one line), then read every field
    // as a string under those names, keeping lines of the wrong shape in CORRUPT_RECORD.
    String[] header = csvReader(spark, csv).csv(path).columns();
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
      for (Throwable c = e; c != null; c = c.getCause()) {
        java.util.regex.Matcher m = c.getMessage() == null ? null : UNREADABLE_FILE.matcher(c.getMessage());
        if (m != null && m.find()) {
          Throwable root = c;
          while (root.getCause() != null) {
            root = root.getCause();
          }
          // One line: Spark's header-mismatch message spans several.
          String why = root.getMessage() == null ? root.toString()
              : String.join("; ", root.getMessage().lines().map(String::trim).filter(l -> !l.isEmpty()).toList());
          throw new GlmpipeException(GlmpipeException.EXIT_DATA_CONTRACT,
              "cannot read input file " + m.group(1) + ": " + why, e);
        }
      }
      throw RawInput.<RuntimeException>rethrow(e);
    }
  }

  /** Rethrows as is, checked or not: wrapping would bury Spark's own message one level down. */
  @SuppressWarnings("unchecked")
  private static <E extends Exception> E rethrow(Exception e) throws E {
    throw (E) e;
  }

  /**
   * How Spark 3.5 and 4.x name the file behind a failed read, and the file whose CSV header
   * differs from the first file's; group 1 is the path.
   */
  private static final java.util.regex.Pattern UNREADABLE_FILE =
      java.util.regex.Pattern.compile("(?:while reading file|CSV file:) (\\S+?)\\.?(?:\\s|$)");

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
