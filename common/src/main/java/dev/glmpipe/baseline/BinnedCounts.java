package dev.glmpipe.baseline;

import dev.glmpipe.spark.InternalRows;
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
import java.util.Objects;
import java.util.Set;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Rows per bin for many columns in one Spark job: the counts {@link DriftMetrics} compares.
 *
 * <p>Every partition keeps one plain {@code long[]} of counters per column and the small arrays
 * are summed on the way to the driver, so the cost is one scan with a few array increments per
 * row, whatever the number of columns and bins. (A {@code sum(when(...))} per bin costs an
 * expression per bin per row, and a job per column costs a scan per column.) The scan reads
 * Spark's internal rows, not {@link Row} objects, and finds a string's level by its UTF-8 bytes,
 * without making a Java string of it.
 *
 * <p>Every row lands in exactly one bin of every column, so each column's counts sum to the row
 * count: nulls (and NaN) have a bin of their own, and so do categorical values outside the
 * known levels.
 *
 * <p>Every numeric column also gets the sum of its values (non-null, non-NaN; an infinite value
 * makes it infinite, or NaN with both signs), for the mean shift: the mean is
 * {@code sum / (rows - count(NULL))}. Columns declared with {@link #numericWithSums} also get, per
 * bin, the sum of the values and of their squares. Sums are compensated (Neumaier): their error does
 * not grow with the row count, so in practice they do not depend on how the rows are split into
 * partitions either.
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
   * to an edge goes to the bin on its right, as in MLlib's Bucketizer; NaN counts as null, and
   * -0.0 as 0.0. Values are compared as doubles (longs above 2^53 round to the nearest double).
   *
   * @param binSums also sum the values, and their squares, per bin ({@link ColumnCounts#binSums},
   *     {@link ColumnCounts#binSquares})
   */
  public record Numeric(String column, double[] edges, boolean binSums) implements Bins {
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

    /** Counts (and the column's sum) only, no per-bin sums. */
    public Numeric(String column, double[] edges) {
      this(column, edges, false);
    }

    @Override
    public double[] edges() {
      return edges.clone();
    }

    // Records compare arrays by reference; two specs with the same edges are the same bins.
    @Override
    public boolean equals(Object o) {
      return o instanceof Numeric n && n.column.equals(column) && Arrays.equals(n.edges, edges)
          && n.binSums == binSums;
    }

    @Override
    public int hashCode() {
      return (31 * column.hashCode() + Arrays.hashCode(edges)) * 31 + Boolean.hashCode(binSums);
    }

    @Override
    public String toString() {
      return "Numeric[" + column + ", edges=" + Arrays.toString(edges) + (binSums ? ", binSums" : "") + "]";
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
  }

  /**
   * A string or boolean column with known {@code levels} (booleans as {@code "true"} and
   * {@code "false"}): one bin per level in the given order, then {@value #OTHER} for any other
   * non-null value, then {@value #NULL}. Strings match a level when their UTF-8 bytes are equal.
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

  /**
   * One column's bins and how many rows fell in each.
   *
   * @param sum numeric columns: the sum of the non-null, non-NaN values (0.0 if there are none);
   *     null for categorical columns
   * @param binSums columns declared with {@link #numericWithSums}: the sum of the values in each
   *     bin, aligned with {@code counts} (the {@value #NULL} bin's is 0.0); null otherwise
   * @param binSquares the same for the squares of the values
   */
  public record ColumnCounts(String column, List<String> labels, long[] counts, Double sum, double[] binSums,
      double[] binSquares) {
    public ColumnCounts {
      labels = List.copyOf(labels);
      counts = counts.clone();
      if (counts.length != labels.size()) {
        throw new IllegalArgumentException(column + " has " + labels.size() + " bins but " + counts.length + " counts");
      }
      if ((binSums == null) != (binSquares == null)
          || (binSums != null && (binSums.length != counts.length || binSquares.length != counts.length))) {
        throw new IllegalArgumentException(column + ": per-bin sums and squares go together, one per bin");
      }
      binSums = binSums == null ? null : binSums.clone();
      binSquares = binSquares == null ? null : binSquares.clone();
    }

    /** Counts only (a categorical column's, or a numeric column's without sums). */
    public ColumnCounts(String column, List<String> labels, long[] counts) {
      this(column, labels, counts, null, null, null);
    }

    @Override
    public long[] counts() {
      return counts.clone();
    }

    @Override
    public double[] binSums() {
      return binSums == null ? null : binSums.clone();
    }

    @Override
    public double[] binSquares() {
      return binSquares == null ? null : binSquares.clone();
    }

    // Sums compare as Double.equals does (NaN equals NaN, 0.0 does not equal -0.0), like the arrays.
    @Override
    public boolean equals(Object o) {
      return o instanceof ColumnCounts c && c.column.equals(column) && c.labels.equals(labels)
          && Arrays.equals(c.counts, counts) && Objects.equals(c.sum, sum) && Arrays.equals(c.binSums, binSums)
          && Arrays.equals(c.binSquares, binSquares);
    }

    @Override
    public int hashCode() {
      int h = (31 * column.hashCode() + labels.hashCode()) * 31 + Arrays.hashCode(counts);
      return ((h * 31 + Objects.hashCode(sum)) * 31 + Arrays.hashCode(binSums)) * 31 + Arrays.hashCode(binSquares);
    }

    @Override
    public String toString() {
      return "ColumnCounts[" + column + ", labels=" + labels + ", counts=" + Arrays.toString(counts)
          + (sum == null ? "" : ", sum=" + sum)
          + (binSums == null ? "" : ", binSums=" + Arrays.toString(binSums) + ", binSquares=" + Arrays.toString(binSquares))
          + "]";
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
    return new Numeric(column, edges, false);
  }

  /** Like {@link #numeric}, and also the sum of the values and of their squares per bin. */
  public static Numeric numericWithSums(String column, double[] edges) {
    return new Numeric(column, edges, true);
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
    // Spark's internal rows (UnsafeRow): no conversion to Row and no Java String per value.
    Counters total = InternalRows.of(rows.select(projection))
        .mapPartitions((FlatMapFunction<Iterator<InternalRow>, Counters>) it -> {
          Counters counters = new Counters(specs);
          counters.prepareScan();
          while (it.hasNext()) {
            counters.add(it.next());
          }
          return List.of(counters).iterator();
        })
        .fold(new Counters(specs), Counters::merge);

    Map<String, ColumnCounts> columns = new LinkedHashMap<>();
    for (int i = 0; i < specs.size(); i++) {
      Bins spec = specs.get(i);
      columns.put(spec.column(), total.finish(i, spec));
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

  /** Up to this many edges a linear count beats a binary search (see {@link #bin}). */
  static final int LINEAR_EDGES = 16;

  /**
   * How many of the sorted {@code edges} are at or below {@code value} (neither NaN nor -0.0).
   *
   * <p>Up to {@value #LINEAR_EDGES} edges (deciles and the like), every edge is compared without
   * a branch: {@code value - edge} is negative (sign bit set) exactly when {@code value < edge},
   * as neither is NaN and a difference is -0.0 only for -0.0 minus 0.0. A binary search over ten
   * edges mispredicts a branch at nearly every step on spread-out data, and took half the time
   * of a 22-column count in a profile of bench-monitor; the linear count took a third of the
   * search's time per value.
   */
  static int bin(double[] edges, double value) {
    if (edges.length <= LINEAR_EDGES) {
      int bin = edges.length;
      for (double edge : edges) {
        bin -= (int) (Double.doubleToRawLongBits(value - edge) >>> 63);
      }
      return bin;
    }
    int at = Arrays.binarySearch(edges, value);
    return at >= 0 ? at + 1 : -at - 1;
  }

  /**
   * Adds {@code x} to the compensated sum {@code sums[i] + comps[i]} (Neumaier's variant of
   * Kahan summation: the rounding error of each addition is kept in {@code comps}).
   */
  static void addCompensated(double[] sums, double[] comps, int i, double x) {
    double s = sums[i];
    double t = s + x;
    comps[i] += Math.abs(s) >= Math.abs(x) ? (s - t) + x : (x - t) + s;
    sums[i] = t;
  }

  /** The value of a compensated sum; an infinite or NaN sum is what plain addition gives. */
  static double compensated(double sum, double comp) {
    return Double.isFinite(sum) ? sum + comp : sum;
  }

  /**
   * One partition's (and then the total's) counters: one long[] per column, bins in label order;
   * per numeric column a compensated sum; per column with bin sums two compensated double[].
   */
  private static final class Counters implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Up to this many levels are compared in turn rather than hashed (a hash reads every byte). */
    private static final int LINEAR_LEVELS = 8;
    private final List<Bins> specs;
    private final long[][] counts;
    private final double[] sums;
    private final double[] sumComps;
    /** Per column (null unless it has bin sums): the sums and squares per bin, and their compensations. */
    private final double[][] binSums;
    private final double[][] binSumComps;
    private final double[][] binSquares;
    private final double[][] binSquareComps;
    private long rows;
    // Built on the executor for the scan, not shipped: only the specs and counters travel.
    private transient double[][] edges;
    /** Per level column with up to {@value #LINEAR_LEVELS} levels: the levels, compared in turn. */
    private transient UTF8String[][] fewLevels;
    /** Per level column with more levels: an index by value. */
    private transient Map<UTF8String, Integer>[] levelIndex;

    Counters(List<Bins> specs) {
      int n = specs.size();
      this.specs = specs;
      this.counts = new long[n][];
      this.sums = new double[n];
      this.sumComps = new double[n];
      this.binSums = new double[n][];
      this.binSumComps = new double[n][];
      this.binSquares = new double[n][];
      this.binSquareComps = new double[n][];
      for (int i = 0; i < n; i++) {
        Bins spec = specs.get(i);
        int bins = spec.labels().size();
        counts[i] = new long[bins];
        if (spec instanceof Numeric num && num.binSums()) {
          binSums[i] = new double[bins];
          binSumComps[i] = new double[bins];
          binSquares[i] = new double[bins];
          binSquareComps[i] = new double[bins];
        }
      }
    }

    /** The per-row lookups: each numeric column's edges (null for levels) and each level column's index. */
    @SuppressWarnings("unchecked")
    void prepareScan() {
      int n = specs.size();
      edges = new double[n][];
      fewLevels = new UTF8String[n][];
      levelIndex = new Map[n];
      for (int i = 0; i < n; i++) {
        if (specs.get(i) instanceof Numeric num) {
          edges[i] = num.edges();
        } else {
          List<String> levels = ((Categorical) specs.get(i)).levels();
          UTF8String[] utf8 = levels.stream().map(UTF8String::fromString).toArray(UTF8String[]::new);
          if (utf8.length <= LINEAR_LEVELS) {
            fewLevels[i] = utf8;
          } else {
            Map<UTF8String, Integer> index = new HashMap<>();
            for (int l = 0; l < utf8.length; l++) {
              index.put(utf8[l], l);
            }
            levelIndex[i] = index;
          }
        }
      }
    }

    /** The level of a non-null value, -1 if it is none of them. */
    private int level(int i, UTF8String value) {
      UTF8String[] few = fewLevels[i];
      if (few != null) {
        for (int l = 0; l < few.length; l++) {
          if (few[l].equals(value)) {  // byte lengths first, then the bytes
            return l;
          }
        }
        return -1;
      }
      Integer level = levelIndex[i].get(value);
      return level == null ? -1 : level;
    }

    void add(InternalRow row) {
      rows++;
      for (int i = 0; i < counts.length; i++) {
        long[] column = counts[i];
        int nullBin = column.length - 1;
        if (row.isNullAt(i)) {
          column[nullBin]++;
          continue;
        }
        double[] e = edges[i];
        if (e != null) {
          double value = row.getDouble(i) + 0.0;  // -0.0 is 0.0, as for the edges
          if (value != value) {  // NaN counts as null
            column[nullBin]++;
            continue;
          }
          int bin = bin(e, value);
          column[bin]++;
          addCompensated(sums, sumComps, i, value);
          if (binSums[i] != null) {
            addCompensated(binSums[i], binSumComps[i], bin, value);
            addCompensated(binSquares[i], binSquareComps[i], bin, value * value);
          }
        } else {
          // The row's own bytes, wrapped, not copied.
          int level = level(i, row.getUTF8String(i));
          column[level < 0 ? nullBin - 1 : level]++;  // the bin before null is unseen
        }
      }
    }

    Counters merge(Counters other) {
      rows += other.rows;
      for (int i = 0; i < counts.length; i++) {
        for (int b = 0; b < counts[i].length; b++) {
          counts[i][b] += other.counts[i][b];
        }
        mergeSum(sums, sumComps, i, other.sums[i], other.sumComps[i]);
        if (binSums[i] != null) {
          for (int b = 0; b < counts[i].length; b++) {
            mergeSum(binSums[i], binSumComps[i], b, other.binSums[i][b], other.binSumComps[i][b]);
            mergeSum(binSquares[i], binSquareComps[i], b, other.binSquares[i][b], other.binSquareComps[i][b]);
          }
        }
      }
      return this;
    }

    private static void mergeSum(double[] sums, double[] comps, int i, double otherSum, double otherComp) {
      addCompensated(sums, comps, i, otherSum);
      comps[i] += otherComp;
    }

    ColumnCounts finish(int i, Bins spec) {
      if (!(spec instanceof Numeric)) {
        return new ColumnCounts(spec.column(), spec.labels(), counts[i]);
      }
      double[] sumsPerBin = null;
      double[] squaresPerBin = null;
      if (binSums[i] != null) {
        sumsPerBin = new double[counts[i].length];
        squaresPerBin = new double[counts[i].length];
        for (int b = 0; b < sumsPerBin.length; b++) {
          sumsPerBin[b] = compensated(binSums[i][b], binSumComps[i][b]);
          squaresPerBin[b] = compensated(binSquares[i][b], binSquareComps[i][b]);
        }
      }
      return new ColumnCounts(spec.column(), spec.labels(), counts[i], compensated(sums[i], sumComps[i]),
          sumsPerBin, squaresPerBin);
    }
  }
}
