package dev.glmpipe.runs;

import dev.glmpipe.CodeVersion;
import dev.glmpipe.GlmpipeException;
import dev.glmpipe.PhaseClock;
import dev.glmpipe.RunFigures;
import dev.glmpipe.config.ConfigRedactor;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.io.HadoopSettings;
import dev.glmpipe.io.TableLayout;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one run from start to end and leaves its trace: the run record in the {@code runs}
 * table and, with {@code metrics.pushgateway}, its metrics in the Pushgateway. The launcher
 * calls, in order: {@link #start}, {@link #configured} (once the config is loaded),
 * {@link #attach} and {@link #detach} around the work on Spark, then {@link #finish}, which
 * runs whether the job succeeded or failed.
 */
public final class RunObserver {
  private static final Logger LOG = LoggerFactory.getLogger(RunObserver.class);
  /** The gauge every run record carries: the driver JVM's peak heap use, in bytes ({@link HeapPeak}). */
  public static final String DRIVER_PEAK_HEAP = "driver_peak_heap_bytes";

  private final String runId;
  private final String job;
  private final OffsetDateTime startedAt = OffsetDateTime.now(ZoneOffset.UTC);
  private final long startNanos = System.nanoTime();
  private final PhaseClock clock;

  private GlmpipeConfig config;
  private String configSha256;
  private List<String> requestedDates = List.of();
  private String metricsJob;

  private SparkSession spark;
  private TaskMetricsListener listener;
  private TaskMetricsListener.Totals totals;
  private SparkFacts sparkFacts;
  private Configuration hadoop;

  /** What the record says of the Spark application the run ran in. */
  private record SparkFacts(String appId, String master, String version) {}

  private RunObserver(String runId, String job) {
    this.runId = runId;
    this.job = job;
    this.metricsJob = job;
    this.clock = PhaseClock.start(runId, "startup");
    HeapPeak.watch();
  }

  /** Starts watching run {@code runId} of {@code job}; its first phase, {@code startup}, lasts until an operation names another. */
  public static RunObserver start(String runId, String job) {
    return new RunObserver(runId, job);
  }

  /**
   * The run's validated config, its hash, the dates the command line asked for, and the job
   * label its metrics go under (the job's name, or e.g. {@code monitor_realized}).
   */
  public void configured(GlmpipeConfig config, String configSha256, List<String> requestedDates, String metricsJob) {
    this.config = config;
    this.configSha256 = configSha256;
    this.requestedDates = List.copyOf(requestedDates);
    this.metricsJob = metricsJob;
  }

  /** Starts counting the tasks of the run's Spark jobs. */
  public void attach(SparkSession spark) {
    this.spark = spark;
    this.listener = new TaskMetricsListener();
    spark.sparkContext().addSparkListener(listener);
  }

  /** Stops counting, once Spark has delivered the events of every task that ran (call before the session stops). */
  public void detach() {
    if (spark == null || listener == null) {
      return;
    }
    try {
      // Task events reach listeners asynchronously; the last ones may still be queued.
      spark.sparkContext().listenerBus().waitUntilEmpty(10_000);
    } catch (Exception e) {
      LOG.warn("Spark's listener bus did not drain in 10 s; the run record's task metrics may miss the last tasks");
    }
    spark.sparkContext().removeSparkListener(listener);
    totals = listener.totals();
    sparkFacts = new SparkFacts(spark.sparkContext().applicationId(), spark.sparkContext().master(), spark.version());
    hadoop = new Configuration(spark.sparkContext().hadoopConfiguration());
    listener = null;
  }

  /**
   * Ends the run: builds its record from the result (or the failure), writes it to the
   * {@code runs} table and pushes the metrics. Writing the record or pushing may fail without
   * failing the run (a warning says so), unless {@code metrics.fail_on_error} asks otherwise.
   *
   * @param result the job's result, or null when it failed before returning one
   * @param exitCode the run's exit code (0: succeeded)
   * @param failure what failed the run, or null
   */
  public RunRecord finish(Object result, int exitCode, Throwable failure) {
    detach();
    RunRecord record = record(result, exitCode, failure);
    if (config == null) {
      return record; // the config did not load: there is no runs table to write to
    }
    Configuration conf = hadoop != null ? hadoop : HadoopSettings.of(config);
    try {
      RunRecords records = new RunRecords(conf, TableLayout.of(config.storage()).runs());
      LOG.info("run record: {}", records.write(record));
    } catch (RuntimeException e) {
      LOG.warn("could not write the run record of {}: {}", runId, redactor().text(e.toString()));
    }
    if (config.metricsOrDefault().enabled()) {
      RunMetrics.push(config.metricsOrDefault(), record, metricsJob);
    }
    return record;
  }

  private ConfigRedactor redactor() {
    return config == null ? ConfigRedactor.basic() : ConfigRedactor.of(config);
  }

  RunRecord record(Object result, int exitCode, Throwable failure) {
    OffsetDateTime endedAt = OffsetDateTime.now(ZoneOffset.UTC);
    double seconds = Math.round((System.nanoTime() - startNanos) / 1e6) / 1e3;
    Map<String, Double> phases = clock.stop(runId);
    RunFigures figures = result instanceof RunFigures.Source s ? s.runFigures() : null;
    GlmpipeException known = failure == null ? null : GlmpipeException.find(failure);
    String errorClass = failure == null ? null : (known != null ? known : failure).getClass().getName();
    // The message may quote a value of the run's config; its secrets never reach the runs table.
    String error = failure == null ? null
        : redactor().text(known != null ? known.getMessage() : String.valueOf(failure.getMessage()));
    TaskMetricsListener.Totals t = totals;
    SparkFacts s = sparkFacts;
    return new RunRecord(runId, job, exitCode == 0 ? RunRecord.SUCCEEDED : RunRecord.FAILED, exitCode, errorClass, error,
        config == null ? null : config.model().name(),
        figures == null ? null : figures.modelVersion(),
        figures == null || figures.dates().isEmpty() ? requestedDates : figures.dates(),
        startedAt.toString(), endedAt.toString(), seconds, phases,
        figures == null ? null : figures.rowsIn(), figures == null ? null : figures.rowsOut(),
        figures == null ? null : figures.rowsQuarantined(),
        t == null ? null : t.bytesRead(), t == null ? null : t.bytesWritten(),
        t == null ? null : t.executorCpuSeconds(), t == null ? null : t.gcSeconds(),
        t == null ? null : t.peakExecutionMemoryBytes(), t == null ? null : t.spillBytes(),
        t == null ? null : t.shuffleReadBytes(), t == null ? null : t.shuffleWriteBytes(), t == null ? null : t.tasks(),
        s == null ? null : s.appId(), s == null ? null : s.master(), t == null ? null : t.executors(),
        s == null ? null : s.version(),
        configSha256, CodeVersion.commit(), CodeVersion.get(),
        gauges(figures));
  }

  /** The job's own gauges, and the JVM's peak heap use, which must not grow with the rows on a driver. */
  private static Map<String, Double> gauges(RunFigures figures) {
    Map<String, Double> gauges = new LinkedHashMap<>(figures == null ? Map.of() : figures.gauges());
    gauges.put(DRIVER_PEAK_HEAP, (double) HeapPeak.bytes());
    return gauges;
  }

}
