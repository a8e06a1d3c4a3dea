package dev.glmpipe.spark;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.List;
import org.apache.spark.ml.feature.ImputerModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Builds an {@link ImputerModel} from its surrogates, on every Spark line glmpipe builds for.
 *
 * <p>Up to Spark 4.0 the model holds its surrogates as a one-row DataFrame ({@code new
 * ImputerModel(uid, surrogateDF)}); from Spark 4.1 it holds two arrays ({@code new
 * ImputerModel(uid, columnNames, surrogates)}) and the DataFrame constructor is gone. Both are
 * MLlib-private constructors, so the one this Spark has is looked up once, here, and a jar built
 * against one line still builds imputers on the other.
 */
public final class ImputerModels {
  private static final Constructor<ImputerModel> WITH_ARRAYS = constructor(String.class, String[].class, double[].class);
  private static final Constructor<ImputerModel> WITH_FRAME = constructor(String.class, Dataset.class);

  private ImputerModels() {}

  /**
   * @param surrogates one double field per input column, in input-column order
   * @param values the surrogate of each field (null stays null on Spark 4.0 and before; later
   *     Spark lines hold primitive doubles, where it becomes NaN)
   */
  public static ImputerModel of(String uid, StructType surrogates, Object[] values) {
    try {
      if (WITH_ARRAYS != null) {
        String[] names = new String[values.length];
        double[] doubles = new double[values.length];
        StructField[] fields = surrogates.fields();
        for (int i = 0; i < values.length; i++) {
          names[i] = fields[i].name();
          doubles[i] = values[i] == null ? Double.NaN : ((Number) values[i]).doubleValue();
        }
        return WITH_ARRAYS.newInstance(uid, names, doubles);
      }
      if (WITH_FRAME != null) {
        Dataset<Row> frame = SparkSession.active().createDataFrame(List.of(RowFactory.create(values)), surrogates);
        return WITH_FRAME.newInstance(uid, frame);
      }
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build an ImputerModel on this Spark", e);
    }
    throw new IllegalStateException("this Spark's ImputerModel has neither known constructor");
  }

  /**
   * Whether this Spark's ImputerModel keeps its surrogates in a DataFrame (up to 4.0), which
   * its {@code transform} reads with a Spark job unless the frame is a local relation.
   */
  public static boolean surrogatesInFrame() {
    return WITH_ARRAYS == null;
  }

  /** The same imputer (uid, params, surrogates) with its surrogates held on the driver. */
  public static ImputerModel local(ImputerModel stored) {
    Dataset<Row> frame = stored.surrogateDF();
    Row row = frame.collectAsList().get(0);
    Object[] values = new Object[row.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = row.get(i);
    }
    return stored.copyValues(of(stored.uid(), frame.schema(), values), org.apache.spark.ml.param.ParamMap.empty());
  }

  private static Constructor<ImputerModel> constructor(Class<?>... types) {
    try {
      return ImputerModel.class.getConstructor(types);
    } catch (NoSuchMethodException e) {
      return null;
    }
  }
}
