package dev.glmpipe.scorer;

/** Double arithmetic as Spark SQL and MLlib do it, where that differs from plain Java. */
final class SqlDoubles {
  private SqlDoubles() {}

  /**
   * Spark SQL's order of doubles ({@code SQLOrderingUtil.compareDoubles}): {@code -0.0} equals
   * {@code 0.0}, and NaN equals NaN and is above every other value.
   */
  static int compare(double x, double y) {
    return x == y ? 0 : Double.compare(x, y);
  }

  /** Spark SQL's {@code log1p}: null (here: null) at or below -1, as {@code UnaryLogExpression} returns. */
  static Double log1p(double x) {
    return x <= -1.0 ? null : StrictMath.log1p(x);
  }

  /** {@code a > b} as Java compares doubles: false when either is NaN. */
  static boolean javaGreater(double a, double b) {
    return a > b;
  }
}
