package dev.glmpipe.scorer.serve;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * The service's metrics, in a registry of its own, written in Prometheus' text format on
 * {@code /metrics}:
 * <ul>
 *   <li>{@code glmpipe_serve_requests_total{endpoint,code}} — requests answered, by endpoint
 *       ({@code predict}, {@code metadata}, {@code healthz}, {@code metrics}, {@code other}) and status code;
 *   <li>{@code glmpipe_serve_request_duration_seconds{endpoint}} — a histogram of the time from
 *       reading the request to the response sent;
 *   <li>{@code glmpipe_serve_errors_total{endpoint,reason}} — requests refused or failed:
 *       {@code bad_request}, {@code not_found}, {@code method}, {@code internal};
 *   <li>{@code glmpipe_serve_predictions_total} — instances scored;
 *   <li>{@code glmpipe_serve_model_info{model,version}} — the version served (one series);
 *   <li>{@code glmpipe_serve_model_loaded_timestamp_seconds}, {@code glmpipe_serve_model_loads_total},
 *       {@code glmpipe_serve_model_refusals_total} — switches to a new champion, and champions refused.
 * </ul>
 */
public final class ServeMetrics {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter requests = Counter.builder().name("glmpipe_serve_requests_total")
      .help("HTTP requests answered, by endpoint and status code").labelNames("endpoint", "code").register(registry);
  private final Histogram latency = Histogram.builder().name("glmpipe_serve_request_duration_seconds")
      .help("Time from reading a request to its response sent").labelNames("endpoint").classicOnly()
      .classicUpperBounds(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
      .register(registry);
  private final Counter errors = Counter.builder().name("glmpipe_serve_errors_total")
      .help("Requests refused (bad_request, not_found, method) or failed (internal)").labelNames("endpoint", "reason")
      .register(registry);
  private final Counter predictions = Counter.builder().name("glmpipe_serve_predictions_total")
      .help("Instances scored").register(registry);
  private final Info model = Info.builder().name("glmpipe_serve_model_info")
      .help("The model version the service answers with").labelNames("model", "version").register(registry);
  private final Gauge loadedAt = Gauge.builder().name("glmpipe_serve_model_loaded_timestamp_seconds")
      .help("When the served version was loaded").register(registry);
  private final Counter loads = Counter.builder().name("glmpipe_serve_model_loads_total")
      .help("Champion versions verified and loaded").register(registry);
  private final Counter refusals = Counter.builder().name("glmpipe_serve_model_refusals_total")
      .help("Champion versions refused (failed verification or unreadable); the previous one kept serving")
      .register(registry);
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  void request(String endpoint, int code, long nanos) {
    requests.labelValues(endpoint, Integer.toString(code)).inc();
    latency.labelValues(endpoint).observe(nanos / 1e9);
  }

  void error(String endpoint, String reason) {
    errors.labelValues(endpoint, reason).inc();
  }

  void predicted(int instances) {
    predictions.inc(instances);
  }

  void modelLoaded(ServedModel m) {
    model.setLabelValues(m.model().name(), m.model().version());
    loadedAt.set(m.loadedAt().toEpochMilli() / 1000.0);
    loads.inc();
  }

  void refused() {
    refusals.inc();
  }

  String contentType() {
    return writer.getContentType();
  }

  byte[] scrape() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
    writer.write(out, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
    return out.toByteArray();
  }
}
