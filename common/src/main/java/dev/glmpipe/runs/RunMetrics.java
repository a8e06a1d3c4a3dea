package dev.glmpipe.runs;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.config.ConfigRedactor;
import dev.glmpipe.config.MetricsConfig;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.exporter.pushgateway.Format;
import io.prometheus.metrics.exporter.pushgateway.PushGateway;
import io.prometheus.metrics.exporter.pushgateway.Scheme;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's metrics, pushed to a Prometheus Pushgateway when the run ends (README.md, "Metrics").
 *
 * <p>The grouping key is the job and the model only: a run id or a date would open a new group
 * per run, and groups never expire. Pushes use POST, which replaces only the metrics of the
 * same name in the group: a failed run updates its duration, exit code and end time but leaves
 * {@code glmpipe_last_success_timestamp_seconds} (pushed only on success) at the last good run,
 * and {@code monitor --realized} does not erase the drift run's gauges.
 */
public final class RunMetrics {
  private static final Logger LOG = LoggerFactory.getLogger(RunMetrics.class);
  /** Gauges of a result that carry the version they are about as a label. */
  private static final String CHAMPION_SINCE = "champion_since_timestamp_seconds";

  private RunMetrics() {}

  /** The registry a run pushes: one gauge per figure of its record; figures the run did not have are left out. */
  static PrometheusRegistry registry(RunRecord r) {
    PrometheusRegistry registry = new PrometheusRegistry();
    gauge(registry, "glmpipe_run_duration_seconds", "Wall time of the job's last run.", r.durationSeconds());
    Gauge phases = Gauge.builder().name("glmpipe_run_phase_duration_seconds")
        .help("Wall time of each phase of the job's last run.").labelNames("phase").register(registry);
    r.phases().forEach((phase, seconds) -> phases.labelValues(phase).set(seconds));
    Gauge rows = Gauge.builder().name("glmpipe_run_rows").help("Rows the job's last run read (in), wrote (out) and quarantined.")
        .labelNames("kind").register(registry);
    set(rows, "in", r.rowsIn());
    set(rows, "out", r.rowsOut());
    set(rows, "quarantined", r.rowsQuarantined());
    if (r.rowsQuarantined() != null && r.rowsIn() != null && r.rowsIn() > 0) {
      gauge(registry, "glmpipe_run_quarantine_ratio", "Share of input rows quarantined by the last run.",
          (double) r.rowsQuarantined() / r.rowsIn());
    }
    Gauge bytes = Gauge.builder().name("glmpipe_run_bytes").help("Bytes the last run's tasks read and wrote.")
        .labelNames("direction").register(registry);
    set(bytes, "read", r.bytesRead());
    set(bytes, "written", r.bytesWritten());
    Gauge shuffle = Gauge.builder().name("glmpipe_run_shuffle_bytes").help("Shuffle bytes of the last run's tasks.")
        .labelNames("direction").register(registry);
    set(shuffle, "read", r.shuffleReadBytes());
    set(shuffle, "written", r.shuffleWriteBytes());
    gauge(registry, "glmpipe_run_spill_bytes", "Bytes the last run's tasks spilled to disk.", r.spillBytes());
    gauge(registry, "glmpipe_run_cpu_seconds", "Executor CPU time of the last run's tasks.", r.executorCpuSeconds());
    gauge(registry, "glmpipe_run_gc_seconds", "JVM garbage collection time of the last run's tasks.", r.gcSeconds());
    gauge(registry, "glmpipe_run_peak_execution_memory_bytes", "The largest execution memory one task of the last run held.",
        r.peakExecutionMemoryBytes());
    gauge(registry, "glmpipe_run_exit_code", "Exit code of the job's last run (0: succeeded).", (double) r.exitCode());
    double ended = OffsetDateTime.parse(r.endedAt()).toInstant().toEpochMilli() / 1e3;
    gauge(registry, "glmpipe_run_end_timestamp_seconds", "When the job's last run ended, succeeded or failed.", ended);
    if (r.succeeded()) {
      gauge(registry, "glmpipe_last_success_timestamp_seconds", "When the job last succeeded.", ended);
    }
    if (r.modelVersion() != null) {
      Info version = Info.builder().name("glmpipe_model_version").help("The model version the last run made or used.")
          .labelNames("version").register(registry);
      version.setLabelValues(r.modelVersion());
    }
    r.gauges().forEach((name, value) -> {
      if (value == null) {
        return;
      }
      if (name.equals(CHAMPION_SINCE) && r.modelVersion() != null) {
        Gauge since = Gauge.builder().name("glmpipe_" + name).help("When the champion alias moved to this version.")
            .labelNames("version").register(registry);
        since.labelValues(r.modelVersion()).set(value);
      } else {
        gauge(registry, "glmpipe_" + name, "Reported by the job's last run (see README.md, Metrics).", value);
      }
    });
    return registry;
  }

  /**
   * Pushes {@code record}'s metrics under the grouping key {@code job=<metricsJob>, model=<model>}.
   * A failed push logs a warning, or fails the run with {@code metrics.fail_on_error}.
   */
  public static void push(MetricsConfig config, RunRecord record, String metricsJob) {
    try {
      gateway(config, metricsJob, record.model(), registry(record)).pushAdd();
      LOG.info("pushed the run's metrics to {} (job={}, model={})", ConfigRedactor.basic().text(config.pushgateway()),
          metricsJob, record.model());
    } catch (IOException | RuntimeException e) {
      // The URL may carry user info; its password is masked in the log and the error.
      String message = ConfigRedactor.basic().text("could not push metrics to " + config.pushgateway() + ": " + e.getMessage());
      if (config.failOnError()) {
        throw new GlmpipeException(GlmpipeException.EXIT_FAILURE, message + " (metrics.fail_on_error is true)", e);
      }
      LOG.warn("{} (the run's result stands; metrics.fail_on_error: true makes this fail the run)", message);
    }
  }

  static PushGateway gateway(MetricsConfig config, String job, String model, PrometheusRegistry registry) {
    URI url = URI.create(config.pushgateway());
    String path = url.getRawPath() == null ? "" : url.getRawPath().replaceAll("/+$", "");
    PushGateway.Builder builder = PushGateway.builder()
        .scheme("https".equals(url.getScheme()) ? Scheme.HTTPS : Scheme.HTTP)
        .address(url.getRawAuthority() + path)
        .job(job)
        .groupingKey("model", model)
        .registry(registry)
        // The text format: every Pushgateway reads it, and it is what a person debugging reads.
        .format(Format.PROMETHEUS_TEXT)
        // A batch job should not hang on a metrics endpoint that does not answer.
        .connectionTimeout(Duration.ofSeconds(10))
        .readTimeout(Duration.ofSeconds(10));
    if (config.usernameEnv() != null) {
      builder.basicAuth(env(config.usernameEnv(), "metrics.username_env"), env(config.passwordEnv(), "metrics.password_env"));
    } else if (config.bearerTokenEnv() != null) {
      builder.bearerToken(env(config.bearerTokenEnv(), "metrics.bearer_token_env"));
    }
    return builder.build();
  }

  private static String env(String name, String key) {
    String value = System.getenv(name);
    if (value == null || value.isEmpty()) {
      throw new IllegalStateException(key + " names " + name + ", which is not set in the environment");
    }
    return value;
  }

  private static void gauge(PrometheusRegistry registry, String name, String help, Number value) {
    if (value != null) {
      Gauge.builder().name(name).help(help).register(registry).set(value.doubleValue());
    }
  }

  private static void set(Gauge gauge, String label, Long value) {
    if (value != null) {
      gauge.labelValues(label).set(value);
    }
  }

  /** For tests: the gauges in {@code registry} by name (unlabelled ones only). */
  static Map<String, Double> unlabelled(PrometheusRegistry registry) {
    Map<String, Double> out = new java.util.TreeMap<>();
    for (var s : registry.scrape()) {
      if (s instanceof io.prometheus.metrics.model.snapshots.GaugeSnapshot g) {
        for (var d : g.getDataPoints()) {
          if (d.getLabels().isEmpty()) {
            out.put(g.getMetadata().getName(), d.getValue());
          }
        }
      }
    }
    return out;
  }
}
