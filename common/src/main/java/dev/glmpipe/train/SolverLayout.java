package dev.glmpipe.train;

/**
 * How the training matrix is laid out for the solver, chosen from its size.
 *
 * <p><b>Partitions.</b> Every solver iteration is one Spark job with a task per partition, so
 * thousands of small partitions (many small files) cost more in scheduling than in arithmetic,
 * and a partition count below the cores leaves cores idle. Too many partitions are merged with
 * {@code coalesce} (no shuffle, and the same rows go to the same partition on every run, so the
 * sums, and the model, are reproducible); too few are left alone, because only a shuffle could
 * split them and its row order is not reproducible.
 *
 * <p><b>Aggregation depth.</b> Each iteration sums one gradient of {@code dims} doubles per
 * partition. With depth 2 (MLlib's default) the driver receives about √partitions of them; when
 * the partitions are many or the gradient is large (hashed features, many classes), depth 3
 * keeps the driver's share small.
 */
public record SolverLayout(int partitions, int aggregationDepth) {
  /** Rows below which a partition is "small": merging those saves per-task overhead. */
  static final long ROWS_PER_PARTITION = 200_000;
  /** Bytes of partial gradients the driver may receive per level before depth 3 pays off. */
  static final long DRIVER_BYTES = 32L << 20;

  /**
   * @param inputPartitions partitions of the training rows as read
   * @param parallelism the cluster's cores ({@code spark.default.parallelism})
   * @param rows training rows
   * @param dims doubles in one gradient: (features + 1) × coefficient sets
   * @param configuredDepth {@code model.aggregation_depth}, or null to choose
   */
  public static SolverLayout choose(int inputPartitions, int parallelism, long rows, long dims, Integer configuredDepth) {
    int cores = Math.max(1, parallelism);
    int partitions = inputPartitions;
    // At least one partition per core, at most four rounds of tasks, unless the rows are many.
    long bySize = Math.max(cores, (rows + ROWS_PER_PARTITION - 1) / ROWS_PER_PARTITION);
    long cap = Math.max(4L * cores, bySize);
    if (inputPartitions > cap) {
      partitions = (int) cap;
    }
    int depth;
    if (configuredDepth != null) {
      depth = configuredDepth;
    } else {
      long fanIn = (long) Math.ceil(Math.sqrt(partitions));
      depth = partitions > 256 || fanIn * dims * 8 > DRIVER_BYTES ? 3 : 2;
    }
    return new SolverLayout(partitions, depth);
  }
}
