package dev.glmpipe.jobs.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in Pushgateway on 127.0.0.1 that reads each push whole and answers 200, so a
 * benchmark pays the real client's cost of a push (serialize, connect, send) without a
 * Pushgateway installed.
 */
final class PushSink implements AutoCloseable {
  private final HttpServer server;
  private final AtomicInteger pushes = new AtomicInteger();

  PushSink() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a port on 127.0.0.1 for the benchmark's push sink", e);
    }
    server.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      pushes.incrementAndGet();
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  int pushes() {
    return pushes.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
