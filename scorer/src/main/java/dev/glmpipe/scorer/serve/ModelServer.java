package dev.glmpipe.scorer.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.glmpipe.scorer.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The prediction service: the JDK's HTTP server in front of a {@link ChampionFollower}.
 *
 * <ul>
 *   <li>{@code POST /v1/models/{name}:predict} — {@code {"instances": [{...}, ...]}} answered with
 *       {@code {"model_version": v, "predictions": [{"score": s, "prediction": p}, ...]}};
 *   <li>{@code GET /v1/models/{name}} — the version served and its metadata;
 *   <li>{@code GET /healthz} — 200 while a verified model is loaded;
 *   <li>{@code GET /metrics} — Prometheus text format ({@link ServeMetrics}).
 * </ul>
 * A request it cannot answer gets a status code and {@code {"error": "..."}} naming the field;
 * no request stops the server.
 */
public final class ModelServer implements AutoCloseable {
  private static final Logger LOG = System.getLogger(ModelServer.class.getName());

  /**
   * @param pollSeconds how often the champion alias is read
   * @param maxBodyBytes larger request bodies are refused
   * @param maxInstances more instances in one request are refused
   * @param threads request threads
   */
  public record Settings(String host, int port, double pollSeconds, int maxBodyBytes, int maxInstances, int threads) {
    public static Settings defaults() {
      return new Settings("127.0.0.1", 8080, 5, 1 << 20, 10_000, Math.max(4, 2 * Runtime.getRuntime().availableProcessors()));
    }

    public Settings withPort(int p) {
      return new Settings(host, p, pollSeconds, maxBodyBytes, maxInstances, threads);
    }

    public Settings withPollSeconds(double s) {
      return new Settings(host, port, s, maxBodyBytes, maxInstances, threads);
    }

    public Settings withHost(String h) {
      return new Settings(h, port, pollSeconds, maxBodyBytes, maxInstances, threads);
    }

    public Settings withMaxBodyBytes(int b) {
      return new Settings(host, port, pollSeconds, b, maxInstances, threads);
    }
  }

  private final LocalRegistry registry;
  private final Settings settings;
  private final ServeMetrics metrics = new ServeMetrics();
  private final ChampionFollower follower;
  private final String predictPath;
  private final String metadataPath;
  private HttpServer server;
  private ExecutorService workers;
  private ScheduledExecutorService poller;

  public ModelServer(LocalRegistry registry, Settings settings) {
    this.registry = registry;
    this.settings = settings;
    this.follower = new ChampionFollower(registry, metrics);
    this.metadataPath = "/v1/models/" + registry.name();
    this.predictPath = metadataPath + ":predict";
  }

  /**
   * Loads the champion (verified), then listens and starts following the alias.
   *
   * @throws IllegalStateException if no champion can be served
   */
  public ModelServer start() throws IOException {
    // Small responses on kept-alive connections: without TCP_NODELAY, Nagle's algorithm and the
    // client's delayed ACK hold each response back for tens of milliseconds.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    ServedModel first = follower.start();
    server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 256);
    workers = Executors.newFixedThreadPool(settings.threads(), r -> {
      Thread t = new Thread(r, "serve-request");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(workers);
    server.createContext("/", this::handle);
    server.start();
    poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "serve-champion-poll");
      t.setDaemon(true);
      return t;
    });
    long periodMs = Math.max(1, Math.round(settings.pollSeconds() * 1000));
    poller.scheduleWithFixedDelay(follower::poll, periodMs, periodMs, TimeUnit.MILLISECONDS);
    LOG.log(Level.INFO, "serving model ''{0}'' version {1} on http://{2}:{3}{4}:predict (champion polled every {5} s)",
        registry.name(), first.model().version(), settings.host(), Integer.toString(port()), metadataPath,
        settings.pollSeconds());
    return this;
  }

  /** The port listened on (the one the system chose when started with port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  public ChampionFollower follower() {
    return follower;
  }

  @Override
  public void close() {
    if (poller != null) {
      poller.shutdownNow();
    }
    if (server != null) {
      server.stop(0);
    }
    if (workers != null) {
      workers.shutdownNow();
    }
  }

  private void handle(HttpExchange ex) {
    long start = System.nanoTime();
    String path = ex.getRequestURI().getRawPath();
    String method = ex.getRequestMethod();
    String endpoint = path.equals(predictPath) ? "predict" : path.equals(metadataPath) ? "metadata"
        : path.equals("/healthz") ? "healthz" : path.equals("/metrics") ? "metrics" : "other";
    int status;
    try {
      status = switch (endpoint) {
        case "predict" -> predict(ex, method);
        case "metadata" -> metadata(ex, method);
        case "healthz" -> healthz(ex, method);
        case "metrics" -> metricsPage(ex, method);
        default -> throw notFound(path);
      };
    } catch (BadRequest e) {
      status = e.status;
      metrics.error(endpoint, e.reason);
      respondQuietly(ex, e.status, error(e.getMessage()));
    } catch (RuntimeException | IOException | Error e) {
      status = 500;
      metrics.error(endpoint, "internal");
      LOG.log(Level.ERROR, "request " + method + " " + path + " failed", e);
      respondQuietly(ex, 500, error("internal error: " + e));
    } finally {
      ex.close();
    }
    metrics.request(endpoint, status, System.nanoTime() - start);
  }

  private BadRequest notFound(String path) {
    return new BadRequest(404, "not_found", "no such endpoint: " + path + " (this server answers POST " + predictPath
        + ", GET " + metadataPath + ", GET /healthz, GET /metrics)");
  }

  private static void requireMethod(String method, String expected) {
    if (!method.equals(expected)) {
      throw new BadRequest(405, "method", "use " + expected + " here, not " + method);
    }
  }

  private int predict(HttpExchange ex, String method) throws IOException {
    requireMethod(method, "POST");
    String body = readBody(ex);
    ServedModel m = follower.current();
    PredictRequest.Answer answer = PredictRequest.answer(body, m.model(), settings.maxInstances());
    metrics.predicted(answer.instances());
    return respond(ex, 200, answer.body());
  }

  private String readBody(HttpExchange ex) throws IOException {
    int max = settings.maxBodyBytes();
    String declared = ex.getRequestHeaders().getFirst("Content-Length");
    if (declared != null) {
      long n;
      try {
        n = Long.parseLong(declared.trim());
      } catch (NumberFormatException e) {
        throw BadRequest.of("Content-Length is not a number: " + declared);
      }
      if (n > max) {
        drain(ex.getRequestBody(), max);
        throw BadRequest.of("the request body is " + n + " bytes, more than the " + max + " allowed");
      }
    }
    InputStream in = ex.getRequestBody();
    byte[] bytes = in.readNBytes(max + 1);
    if (bytes.length > max) {
      drain(in, max);
      throw BadRequest.of("the request body is more than the " + max + " bytes allowed");
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /**
   * Reads and discards what is left of a refused body, up to a bound: answering while the client
   * is still sending would close the connection under it, and the client would see a reset
   * instead of the 400. A body past the bound is cut off (the connection then closes).
   */
  private static void drain(InputStream in, int maxBodyBytes) throws IOException {
    long bound = 16L * maxBodyBytes;
    byte[] sink = new byte[8192];
    long read = 0;
    int n;
    while (read < bound && (n = in.read(sink, 0, (int) Math.min(sink.length, bound - read))) >= 0) {
      read += n;
    }
  }

  private int metadata(HttpExchange ex, String method) throws IOException {
    requireMethod(method, "GET");
    ServedModel m = follower.current();
    Map<String, Object> doc = m.model().document();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", m.model().name());
    out.put("version", m.model().version());
    out.put("family", m.model().family().name().toLowerCase(java.util.Locale.ROOT));
    out.put("champion_since", m.alias().updatedAt());
    out.put("loaded_at", m.loadedAt().toString());
    out.put("exports_manifest_sha256", m.export().manifestSha256());
    out.put("version_manifest_sha256", m.export().versionManifestSha256());
    out.put("inputs", m.model().inputColumns().stream()
        .map(c -> Map.of("name", c.name(), "type", c.type().name().toLowerCase(java.util.Locale.ROOT))).toList());
    out.put("feature_order", doc.get("feature_order"));
    out.put("intercept", doc.get("intercept"));
    out.put("coefficients", doc.get("coefficients"));
    if (follower.lastProblem() != null) {
      out.put("refused", follower.lastProblem());
    }
    return respond(ex, 200, Json.write(out));
  }

  private int healthz(HttpExchange ex, String method) throws IOException {
    requireMethod(method, "GET");
    ServedModel m = follower.current();
    return respond(ex, 200, "{\"status\":\"ok\",\"model\":" + quoted(m.model().name()) + ",\"version\":"
        + quoted(m.model().version()) + "}");
  }

  private int metricsPage(HttpExchange ex, String method) throws IOException {
    requireMethod(method, "GET");
    byte[] body = metrics.scrape();
    ex.getResponseHeaders().set("Content-Type", metrics.contentType());
    ex.sendResponseHeaders(200, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
    return 200;
  }

  private static String quoted(String s) {
    StringBuilder b = new StringBuilder();
    Json.string(b, s);
    return b.toString();
  }

  private static String error(String message) {
    return "{\"error\":" + quoted(message) + "}";
  }

  private static int respond(HttpExchange ex, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
    return status;
  }

  private static void respondQuietly(HttpExchange ex, int status, String json) {
    try {
      respond(ex, status, json);
    } catch (IOException | RuntimeException e) {
      // The client went away, or the headers were already sent: nothing more to tell it.
    }
  }
}
