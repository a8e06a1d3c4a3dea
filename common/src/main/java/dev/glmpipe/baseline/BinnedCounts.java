package dev.glmpipe.baseline;

import dev.glmpipe.Sql;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Rows per bin for many columns in one Spark job: the counts {@link DriftMetrics} compares.
 *
 * <p>Every partition keeps one plain {@code long[]} of counters per column and the small arrays
 * are summed on the way to the driver, so the cost is one scan with a few array increments per
 * row, whatever the number of columns and bins. (A {@code sum(when(...))} per bin costs an
 * expression per bin per row, and a job per column costs a scan per column.)
 *
 * <p>Every row lands in exactly one bin of every column, so each column's counts sum to the row
 * count: nulls (and NaN) have a bin of their own, and so do categorical values outside the
 * known levels.
 */
public final class BinnedCounts {
  public static final String NULL = "__null__";
  public static final String OTHER = "__other__";

  private BinnedCounts() {}

  /** How one column is binned. */
  public sealed interface Bins extends Serializable permits Numeric, Categorical {
    String column();

    List<String> labels();
  }

  /**
   * A numeric column cut at strictly increasing finite {@code edges}: k edges give k+1 bins,
   * {@code [-inf,e1)}, {@code [e1,e2)} … {@code [ek,+inf)}, then {@value #NULL}. A value equal
   * to an edge goes to the bin on its right, as in MLlib's Bucketizer; NaN counts as null.
   * Values are compared as doubles (longs above 2^53 round to the nearest double).
   */
  public record Numeric(String column, double[] edges) implements Bins {
    public Numeric {
      edges = edges.clone();
      for (int i = 0; i < edges.length; i++) {
        edges[i] += 0.0;  // -0.0 becomes 0.0: the search below orders -0.0 before 0.0, SQL does not
        if (!Double.isFinite(edges[i]) || (i > 0 && edges[i] <= edges[i - 1])) {
          throw new IllegalArgumentException("bin edges of " + column
              + " must be finite and strictly increasing, got " + Arrays.toString(edges));
        }
      }
    }

    @Override
    public double[] edges() {
      return edges.clone();
    }

    // Records compare arrays by reference; two specs with the same edges are the same bins.
    @Override
    public boolean equals(Object o) {
      return o instanceof Numeric n && n.column.equals(column) && Arrays.equals(n.edges, edges);
    }

    @Override
    public int hashCode() {
      return 31 * column.hashCode() + Arrays.hashCode(edges);
    }

    @Override
    public String toString() {
      return "Numeric[" + column + ", edges=" + Arrays.toString(edges) + "]";
    }

    @Override
    public List<String> labels() {
      List<String> labels = new ArrayList<>();
      String lower = "-inf";
      for (double edge : edges) {
        labels.add("[" + lower + "," + edge + ")");
        lower = Double.toString(edge);
      }
      labels.add("[" + lower + ",+inf)");
      labels.add(NULL);
      return List.copyOf(labels);
    }

    /** The bin of a non-null, non-NaN value: how many edges are at or below it. */
    int bin(double value) {
      int at = Arrays.binarySearch(edges, value);
      return at >= 0 ? at + 1 : -at - 1;
    }
  }

  /**
   * A string or boolean column with known {@code levels} (booleans as {@code "true"} and
   * {@code "false"}): one bin per level in the given order, then {@value #OTHER} for any other
   * non-null value, then {@value #NULL}.
   */
  public record Categorical(String column, List<String> levels) implements Bins {
    public Categorical {
      levels = List.copyOf(levels);  // also rejects a null level: nulls have their own bin
      Set<String> seen = new HashSet<>();
      for (String level : levels) {
        if (!seen.add(level) || level.equals(NULL) || level.equals(OTHER)) {
          throw new IllegalArgumentException("levels of " + column
              + " must be distinct and not " + NULL + " or " + OTHER + ", got " + level);
        }
      }
    }

    @Override
    public List<String> labels() {
      List<String> labels = new ArrayList<>(levels);
      labels.add(OTHER);
      labels.add(NULL);
      return List.copyOf(labels);
    }
  }

  /** One column's bins and how many rows fell in each. */
  public record ColumnCounts(String column, List<String> labels, long[] counts) {
    public ColumnCounts {
      labels = List.copyOf(labels);
      counts = counts.clone();
    }

    @Override
    public long[] counts() {
      return counts.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ColumnCounts c && c.column.equals(column) && c.labels.equals(labels)
          && Arrays.equals(c.counts, counts);
    }

    @Override
    public int hashCode() {
      return (31 * column.hashCode() + labels.hashCode()) * 31 + Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
      return "ColumnCounts[" + column + ", labels=" + labels + ", counts=" + Arrays.toString(counts) + "]";
    }

    public long count(String label) {
      int at = labels.indexOf(label);
      if (at < 0) {
        throw new IllegalArgumentException(column + " has no bin " + label + ", only " + labels);
      }
      return counts[at];
    }
  }

  /** Every column's counts, in the order the bins were given, and the rows read. */
  public record Result(long rows, Map<String, ColumnCounts> columns) {
    public Result {
      columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
    }

    public ColumnCounts column(String name) {
      ColumnCounts counts = columns.get(name);
      if (counts == null) {
        throw new IllegalArgumentException("no counts for column " + name + ", only " + columns.keySet());
      }
      return counts;
    }
  }

  public static Numeric numeric(String column, double[] edges) {
    return new Numeric(column, edges);
  }

  public static Categorical categorical(String column, List<String> levels) {
    return new Categorical(column, levels);
  }

  /**
   * Edges for {@link Numeric} from a column's quantiles (ascending, e.g. the deciles 0.1 … 0.9
   * of the training rows): duplicates are dropped, so a column with few distinct values gets
   * fewer bins rather than bins that cannot hold a row, and non-finite values are dropped as
   * they cannot be edges. Each inner bin starts at a quantile, a value the column holds; the
   * bin below the first edge is empty when the first quantile is the minimum, so pass inner
   * quantiles rather than 0 and 1.
   */
  public static double[] edgesFromQuantiles(double[] sortedQuantiles) {
    double[] edges = new double[sortedQuantiles.length];
    int n = 0;
    for (int i = 0; i < sortedQuantiles.length; i++) {
      double q = sortedQuantiles[i];
      if (i > 0 && q < sortedQuantiles[i - 1]) {
        throw new IllegalArgumentException("quantiles must be ascending, got " + Arrays.toString(sortedQuantiles));
      }
      if (Double.isFinite(q) && (n == 0 || q > edges[n - 1])) {
        edges[n++] = q;
      }
    }
    return Arrays.copyOf(edges, n);
  }

  /**
   * Counts {@code rows} into every column's bins in one Spark job and returns the counts to the
   * driver (never the rows). An input whose own plan shuffles may add the jobs adaptive query
   * execution runs for its shuffle stages; the counting itself is one job.
   *
   * @throws IllegalArgumentException if a column is missing, binned twice, or of a type its
   *     bins do not take (numeric bins: any Spark numeric type; levels: string or boolean)
   */
  public static Result count(Dataset<Row> rows, List<? extends Bins> bins) {
    List<Bins> specs = List.copyOf(bins);
    Set<String> names = new HashSet<>();
    Column[] projection = new Column[specs.size()];
    for (int i = 0; i < specs.size(); i++) {
      Bins spec = specs.get(i);
      if (!names.add(spec.column())) {
        throw new IllegalArgumentException("column " + spec.column() + " is binned twice");
      }
      DataType type = typeOf(rows.schema(), spec.column());
      boolean fits = spec instanceof Numeric
          ? type instanceof NumericType
          : type.equals(DataTypes.StringType) || type.equals(DataTypes.BooleanType);
      if (!fits) {
        throw new IllegalArgumentException("column " + spec.column() + " is " + type.simpleString() + ": "
            + (spec instanceof Numeric ? "numeric bins need a numeric column" : "levels need a string or boolean column"));
      }
      // Plain doubles and strings: the scan then needs no per-type code (a boolean casts to "true"/"false").
      projection[i] = Sql.column(spec.column()).cast(spec instanceof Numeric ? DataTypes.DoubleType : DataTypes.StringType)
          .as("c" + i);
    }
    Counters total = rows.select(projection).javaRDD()
        .mapPartitions((FlatMapFunction<Iterator<Row>, Counters>) it -> {
          Counters counters = new Counters(specs);
          while (it.hasNext()) {
            counters.add(it.next());
          }
          return List.of(counters).iterator();
        })
        .fold(new Counters(specs), Counters::merge);

    Map<String, ColumnCounts> columns = new LinkedHashMap<>();
    for (int i = 0; i < specs.size(); i++) {
      Bins spec = specs.get(i);
      columns.put(spec.column(), new ColumnCounts(spec.column(), spec.labels(), total.counts[i]));
    }
    return new Result(total.rows, columns);
  }

  private static DataType typeOf(StructType schema, String column) {
    for (StructField field : schema.fields()) {
      if (field.name().equals(column)) {
        return field.dataType();
      }
    }
    throw new IllegalArgumentException("no column " + column + " to bin; columns are " + Arrays.toString(schema.fieldNames()));
  }

  /** One partition's (and then the total's) counters: one long[] per column, bins in label order. */
  private static final class Counters implements Serializable {
    private final List<Bins> specs;
    private final long[][] counts;
    private long rows;
    // Built on the executor, not shipped: only the specs travel with the task.
    private transient List<Map<String, Integer>> levelIndex;

    Counters(List<Bins> specs) {
      this.specs = specs;
      this.counts = new long[specs.size()][];
      for (int i = 0; i < specs.size(); i++) {
        counts[i] = new long[specs.get(i).labels().size()];
      }
    }

    void add(Row row) {
      if (levelIndex == null) {
        levelIndex = new ArrayList<>();
        for (Bins spec : specs) {
          Map<String, Integer> index = new HashMap<>();
          if (spec instanceof Categorical c) {
            for (int l = 0; l < c.levels().size(); l++) {
              index.put(c.levels().get(l), l);
            }
          }
          levelIndex.add(index);
        }
      }
      rows++;
      for (int i = 0; i < counts.length; i++) {
        long[] column = counts[i];
        int nullBin = column.length - 1;
        if (row.isNullAt(i)) {
          column[nullBin]++;
        } else if (specs.get(i) instanceof Numeric n) {
          double value = row.getDouble(i) + 0.0;  // -0.0 is 0.0, as for the edges
          column[Double.isNaN(value) ? nullBin : n.bin(value)]++;
        } else {
          Integer level = levelIndex.get(i).get(row.getString(i));
          column[level == null ? nullBin - 1 : level]++;  // the bin before null is unseen
        }
      }
    }

    Counters merge(Counters other) {
      rows += other.rows;
      for (int i = 0; i < counts.length; i++) {
        for (int b = 0; b < counts[i].length; b++) {
          counts[i][b] += other.counts[i][b];
        }
      }
      return this;
    }
  }
}
