package dev.glmpipe.scorer.bench;

import dev.glmpipe.scorer.ExportedModel;
import dev.glmpipe.scorer.json.Json;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A bounded, open-loop load generator for the prediction service: single-row predict requests
 * at a fixed rate for a fixed time, over kept-alive HTTP/1.1 connections (one request in
 * flight each). Request {@code i} is due at {@code start + i / rate}; its latency is measured
 * from when it was due, not from when a connection was free to send it, so a server that falls
 * behind shows it in the latency (no coordinated omission). Prints
 * {@code serve_p99_ms=<p99 at 1000 requests/s>} and
 * {@code serve_max_rps=<highest rate sustained with p99 under 10 ms>}, after each step's figures, and
 * {@code serve_floor_p99_ms=<p99 of GET /healthz at 1000 requests/s>}: the same server, connections and
 * generator with no body to parse and nothing to score, the floor under {@code serve_p99_ms}. The
 * rates rise until one is not achieved (the server or this generator saturated); a step whose
 * p99 is over 10 ms (a stall on a busy machine) does not end the ramp.
 *
 * <p>Usage: {@code LoadGenerator PORT MODEL EXPORT_DIR [SECONDS_PER_STEP]}.
 */
public final class LoadGenerator {
  private static final int CONNECTIONS = 12;
  private static final double P99_LIMIT_MS = 10;

  private LoadGenerator() {}

  record Step(double rate, double achieved, double p50, double p99, long errors) {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    String model = args[1];
    ExportedModel m = ExportedModel.load(Path.of(args[2]));
    double seconds = args.length > 3 ? Double.parseDouble(args[3]) : 10;
    List<byte[]> requests = new ArrayList<>();
    for (Map<String, Object> r : BenchRows.of(m, 2000, 11)) {
      byte[] body = Json.write(Map.of("instances", List.of(BenchRows.json(r)))).getBytes(StandardCharsets.UTF_8);
      String head = "POST /v1/models/" + model + ":predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + body.length + "\r\n\r\n";
      byte[] req = new byte[head.length() + body.length];
      System.arraycopy(head.getBytes(StandardCharsets.US_ASCII), 0, req, 0, head.length());
      System.arraycopy(body, 0, req, head.length(), body.length);
      requests.add(req);
    }
    // Warm-up: connections, and enough requests (25,000) that the JIT has compiled the request
    // path before anything is measured, as on a server that has been up for a minute.
    run(port, requests, 5000, Math.min(seconds, 5));
    Step at1000 = run(port, requests, 1000, seconds);
    String health = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    Step floor = run(port, List.of(health.getBytes(StandardCharsets.US_ASCII)), 1000, seconds);
    List<Step> steps = new ArrayList<>(List.of(at1000));
    double best = at1000.p99() < P99_LIMIT_MS && at1000.achieved() >= 0.97 * 1000 && at1000.errors() == 0 ? 1000 : 0;
    for (double rate : new double[] {2000, 3000, 4000, 5000, 6000, 7000, 8000, 10_000, 12_000, 14_000, 16_000, 20_000}) {
      Step s = run(port, requests, rate, seconds);
      steps.add(s);
      if (s.achieved() < 0.97 * rate || s.errors() > 0) {
        break;  // saturated: higher rates cannot be sustained either
      }
      if (s.p99() < P99_LIMIT_MS) {
        best = Math.max(best, s.achieved());
      }
    }
    for (Step s : steps) {
      System.out.printf(Locale.ROOT, "step rate=%.0f achieved=%.0f p50_ms=%.3f p99_ms=%.3f errors=%d%n", s.rate(), s.achieved(),
          s.p50(), s.p99(), s.errors());
    }
    System.out.printf(Locale.ROOT, "floor step rate=%.0f achieved=%.0f p50_ms=%.3f p99_ms=%.3f errors=%d%n", floor.rate(),
        floor.achieved(), floor.p50(), floor.p99(), floor.errors());
    System.out.printf(Locale.ROOT, "serve_p99_ms=%.3f%n", at1000.p99());
    System.out.printf(Locale.ROOT, "serve_floor_p99_ms=%.3f%n", floor.p99());
    System.out.printf(Locale.ROOT, "serve_max_rps=%.0f%n", best);
  }

  /** {@code rate} requests/s for {@code seconds}: achieved rate and latency percentiles from when each request was due. */
  static Step run(int port, List<byte[]> requests, double rate, double seconds) throws Exception {
    int total = (int) Math.round(rate * seconds);
    long[] latencies = new long[total];
    AtomicInteger next = new AtomicInteger();
    AtomicLong errors = new AtomicLong();
    long start = System.nanoTime() + 20_000_000L;
    double interval = 1e9 / rate;
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < CONNECTIONS; c++) {
      Thread t = new Thread(() -> {
        Connection conn = null;
        try {
          for (int i; (i = next.getAndIncrement()) < total; ) {
            long due = start + (long) (i * interval);
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
              LockSupport.parkNanos(wait);
            }
            try {
              if (conn == null) {
                conn = new Connection(port);
              }
              int status = conn.send(requests.get(i % requests.size()));
              if (status != 200) {
                errors.incrementAndGet();
              }
            } catch (IOException e) {
              errors.incrementAndGet();
              conn = null;
            }
            latencies[i] = System.nanoTime() - due;
          }
        } finally {
          if (conn != null) {
            conn.close();
          }
        }
      });
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    long end = System.nanoTime();
    long[] sorted = latencies.clone();
    Arrays.sort(sorted);
    double achieved = total / ((end - start) / 1e9);
    return new Step(rate, achieved, sorted[(int) (0.50 * (total - 1))] / 1e6, sorted[(int) (0.99 * (total - 1))] / 1e6, errors.get());
  }

  /** One kept-alive HTTP/1.1 connection: sends a request, reads the whole response. */
  private static final class Connection {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    Connection(int port) throws IOException {
      socket = new Socket("127.0.0.1", port);
      socket.setTcpNoDelay(true);
      out = socket.getOutputStream();
      in = new BufferedInputStream(socket.getInputStream(), 8192);
    }

    int send(byte[] request) throws IOException {
      out.write(request);
      out.flush();
      String status = line();
      int code = Integer.parseInt(status.substring(9, 12));
      int length = 0;
      for (String h; !(h = line()).isEmpty(); ) {
        if (h.regionMatches(true, 0, "Content-Length:", 0, 15)) {
          length = Integer.parseInt(h.substring(15).trim());
        }
      }
      if (in.readNBytes(length).length != length) {
        throw new IOException("connection closed mid-response");
      }
      return code;
    }

    private String line() throws IOException {
      StringBuilder b = new StringBuilder();
      for (int c; (c = in.read()) != '\n'; ) {
        if (c < 0) {
          throw new IOException("connection closed");
        }
        if (c != '\r') {
          b.append((char) c);
        }
      }
      return b.toString();
    }

    void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }
}
