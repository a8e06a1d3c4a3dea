package dev.glmpipe.runs;

import java.util.HashSet;
import java.util.Set;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Adds up the task metrics of every task that ends while it is registered: executor CPU and GC
 * time, bytes read and written, spill, shuffle, the peak execution memory of one task, and the
 * executors that ran them. A session hosts one run at a time (one {@code spark-submit} is one
 * run), so every task in that window belongs to the run, including those of jobs started on
 * helper threads.
 */
public final class TaskMetricsListener extends SparkListener {
  private long tasks;
  private long cpuNanos;
  private long gcMillis;
  private long bytesRead;
  private long bytesWritten;
  private long peakExecutionMemory;
  private long spilledMemory;
  private long spilledDisk;
  private long shuffleRead;
  private long shuffleWritten;
  private final Set<String> executors = new HashSet<>();

  /** What the tasks added up to, once the listener bus has delivered their events. */
  public record Totals(long tasks, double executorCpuSeconds, double gcSeconds, long bytesRead, long bytesWritten,
      long peakExecutionMemoryBytes, long spillBytes, long shuffleReadBytes, long shuffleWriteBytes, int executors) {}

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
    TaskMetrics m = end.taskMetrics();
    if (m == null) {
      return; // a task lost with its executor reports none
    }
    tasks++;
    cpuNanos += m.executorCpuTime();
    gcMillis += m.jvmGCTime();
    bytesRead += m.inputMetrics().bytesRead();
    bytesWritten += m.outputMetrics().bytesWritten();
    peakExecutionMemory = Math.max(peakExecutionMemory, m.peakExecutionMemory());
    spilledMemory += m.memoryBytesSpilled();
    spilledDisk += m.diskBytesSpilled();
    shuffleRead += m.shuffleReadMetrics().totalBytesRead();
    shuffleWritten += m.shuffleWriteMetrics().bytesWritten();
    if (end.taskInfo() != null) {
      executors.add(end.taskInfo().executorId());
    }
  }

  /**
   * Spill is reported as the in-memory size of what was spilled and as its size on disk; the
   * record keeps the disk size, what a run actually paid in I/O (the memory size when Spark
   * reported no disk size).
   */
  public synchronized Totals totals() {
    return new Totals(tasks, cpuNanos / 1e9, gcMillis / 1e3, bytesRead, bytesWritten, peakExecutionMemory,
        spilledDisk > 0 ? spilledDisk : spilledMemory, shuffleRead, shuffleWritten, executors.size());
  }
}
