package dev.glmpipe.registry;

import dev.glmpipe.spark.ImputerModels;
import dev.glmpipe.spark.SavedParams;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.ImputerModel;
import org.apache.spark.ml.feature.OneHotEncoderModel;
import org.apache.spark.ml.feature.StandardScalerModel;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.linalg.DenseMatrix;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.SparseMatrix;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.regression.LinearRegressionModel;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads the saved MLlib stages glmpipe's pipelines are made of on the driver, without a Spark
 * job. MLlib's own readers run two or three tiny jobs per stage (the metadata through {@code
 * textFile}, the data through a Parquet read and its schema inference): half a second for a
 * scoring pipeline, before scoring can start, on every run.
 *
 * <p>Here the metadata is parsed by MLlib's own parser, which also sets every param as MLlib's
 * readers do; the data row (one row per stage, in the layout MLlib 3.x and 4.x write) is read
 * with parquet-hadoop, and the model built with the constructor MLlib's reader calls. A stage of
 * another class, saved by a Spark before 3.0, or stored differently is not read here: {@link
 * #read} gives empty and the caller uses MLlib's reader.
 */
final class SavedStageReader {
  /** Stages whose MLlib reader is {@code DefaultParamsReader}: the uid and params are all there is. */
  private static final Set<String> PARAMS_ONLY = Set.of(
      "org.apache.spark.ml.feature.SQLTransformer",
      "org.apache.spark.ml.feature.VectorAssembler",
      "org.apache.spark.ml.feature.Bucketizer",
      "org.apache.spark.ml.feature.FeatureHasher");

  private SavedStageReader() {}

  /**
   * @param metadataJson the stage's {@code metadata/part-00000} line
   * @return the stage, or empty when it is not one this reader knows
   */
  static Optional<Transformer> read(Configuration conf, Path stageDir, String metadataJson)
      throws IOException, ReflectiveOperationException {
    SavedParams metadata = SavedParams.parse(metadataJson);
    String type = metadata.className();
    if (majorVersion(metadata.sparkVersion()) < 3) {
      return Optional.empty();
    }
    Transformer stage = PARAMS_ONLY.contains(type)
        ? (Transformer) Class.forName(type).getConstructor(String.class).newInstance(metadata.uid())
        : withData(type, metadata.uid(), conf, stageDir);
    if (stage == null) {
      return Optional.empty();
    }
    metadata.applyTo(stage);
    return Optional.of(stage);
  }

  /** The model built from its data row, as its MLlib reader builds it; null for another class. */
  private static Transformer withData(String type, String uid, Configuration conf, Path stageDir) throws IOException {
    return switch (type) {
      case "org.apache.spark.ml.classification.LogisticRegressionModel" -> {
        Group d = dataRow(conf, stageDir);
        yield new LogisticRegressionModel(uid, matrix(d, "coefficientMatrix"), vector(d, "interceptVector"),
            d.getInteger("numClasses", 0), d.getBoolean("isMultinomial", 0));
      }
      case "org.apache.spark.ml.regression.LinearRegressionModel" -> {
        Group d = dataRow(conf, stageDir);
        yield new LinearRegressionModel(uid, vector(d, "coefficients"), d.getDouble("intercept", 0), d.getDouble("scale", 0));
      }
      case "org.apache.spark.ml.feature.StandardScalerModel" -> {
        Group d = dataRow(conf, stageDir);
        yield new StandardScalerModel(uid, vector(d, "std"), vector(d, "mean"));
      }
      case "org.apache.spark.ml.feature.StringIndexerModel" -> {
        Group d = dataRow(conf, stageDir);
        Group outer = d.getGroup("labelsArray", 0);
        String[][] labels = new String[outer.getFieldRepetitionCount(0)][];
        for (int i = 0; i < labels.length; i++) {
          labels[i] = strings(outer.getGroup(0, i).getGroup(0, 0));
        }
        yield new StringIndexerModel(uid, labels);
      }
      case "org.apache.spark.ml.feature.OneHotEncoderModel" -> new OneHotEncoderModel(uid,
          ints(dataRow(conf, stageDir).getGroup("categorySizes", 0)));
      case "org.apache.spark.ml.feature.ImputerModel" -> imputer(uid, dataRow(conf, stageDir));
      default -> null;
    };
  }

  /**
   * The surrogates row (one double per input column) as a local relation, so neither this read
   * nor a later {@code transform} runs a Spark job for it.
   */
  private static Transformer imputer(String uid, Group row) {
    GroupType schema = row.getType();
    StructType surrogates = new StructType();
    Object[] values = new Object[schema.getFieldCount()];
    for (int i = 0; i < values.length; i++) {
      Type field = schema.getType(i);
      if (!field.isPrimitive() || field.asPrimitiveType().getPrimitiveTypeName() != PrimitiveType.PrimitiveTypeName.DOUBLE) {
        return null;
      }
      surrogates = surrogates.add(field.getName(), DataTypes.DoubleType, true);
      values[i] = row.getFieldRepetitionCount(i) == 0 ? null : row.getDouble(i, 0);
    }
    return ImputerModels.of(uid, surrogates, values);
  }

  /** The one row MLlib writes under {@code stageDir/data}. */
  private static Group dataRow(Configuration conf, Path stageDir) throws IOException {
    Path data = new Path(stageDir, "data");
    FileSystem fs = data.getFileSystem(conf);
    for (FileStatus f : fs.listStatus(data, p -> p.getName().startsWith("part-"))) {
      try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), f.getPath()).withConf(conf).build()) {
        Group row = reader.read();
        if (row != null) {
          return row;
        }
      }
    }
    throw new IOException("no data row under " + data);
  }

  /** A field of Spark's vector type: a struct of type (0 sparse, 1 dense), size, indices, values. */
  private static Vector vector(Group row, String name) {
    Group v = row.getGroup(name, 0);
    double[] values = doubles(v.getGroup("values", 0));
    return v.getInteger("type", 0) == 1 ? Vectors.dense(values)
        : Vectors.sparse(v.getInteger("size", 0), ints(v.getGroup("indices", 0)), values);
  }

  /** A field of Spark's matrix type, dense (type 1) or sparse in compressed-column form. */
  private static Matrix matrix(Group row, String name) {
    Group m = row.getGroup(name, 0);
    int rows = m.getInteger("numRows", 0);
    int cols = m.getInteger("numCols", 0);
    double[] values = doubles(m.getGroup("values", 0));
    boolean transposed = m.getBoolean("isTransposed", 0);
    return m.getInteger("type", 0) == 1 ? new DenseMatrix(rows, cols, values, transposed)
        : new SparseMatrix(rows, cols, ints(m.getGroup("colPtrs", 0)), ints(m.getGroup("rowIndices", 0)), values, transposed);
  }

  // A Parquet list is a group with one repeated group, each holding one element. Fields are
  // taken by position, which reads both Spark's standard layout and its legacy one.

  private static double[] doubles(Group list) {
    double[] out = new double[list.getFieldRepetitionCount(0)];
    for (int i = 0; i < out.length; i++) {
      out[i] = list.getGroup(0, i).getDouble(0, 0);
    }
    return out;
  }

  private static int[] ints(Group list) {
    int[] out = new int[list.getFieldRepetitionCount(0)];
    for (int i = 0; i < out.length; i++) {
      out[i] = list.getGroup(0, i).getInteger(0, 0);
    }
    return out;
  }

  private static String[] strings(Group list) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < list.getFieldRepetitionCount(0); i++) {
      out.add(list.getGroup(0, i).getString(0, 0));
    }
    return out.toArray(String[]::new);
  }

  private static int majorVersion(String sparkVersion) {
    String major = sparkVersion.split("\\.", 2)[0];
    return major.chars().allMatch(Character::isDigit) && !major.isEmpty() ? Integer.parseInt(major) : 0;
  }
}
