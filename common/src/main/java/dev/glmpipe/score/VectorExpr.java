package dev.glmpipe.score;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;

/**
 * An MLlib vector column as Spark expressions, never materialised: a run of segments, each either
 * dense (one double expression per slot) or one-hot (one int expression naming the hot slot).
 * A linear model only ever needs the dot product with its coefficients, which a one-hot segment
 * gives with a single array lookup however wide it is.
 *
 * @param nullable whether the whole vector can be null (an MLlib UDF on a null input returns
 *     null); a null vector has every slot expression null, and a non-null one none
 */
record VectorExpr(List<Segment> segments, boolean nullable) {
  sealed interface Segment {
    int size();
  }

  /** One expression per slot. */
  record Dense(List<Column> values) implements Segment {
    @Override
    public int size() {
      return values.size();
    }
  }

  /**
   * A single 1.0 at {@code index}, which is in {@code [0, size]}; {@code size} itself means no
   * slot is hot (the dropped last category).
   */
  record OneHot(Column index, int size) implements Segment {}

  int size() {
    return segments.stream().mapToInt(Segment::size).sum();
  }

  static VectorExpr concat(List<VectorExpr> parts) {
    List<Segment> all = new ArrayList<>();
    parts.forEach(p -> all.addAll(p.segments()));
    return new VectorExpr(all, parts.stream().anyMatch(VectorExpr::nullable));
  }
}
