package dev.glmpipe.jobs.bench;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in Pushgateway on 127.0.0.1 that reads each push whole and answers 200, so a
 * benchmark pays the real client's cost of a push (serialize, connect, send) without a
 * Pushgateway installed. It answers on a daemon thread of its own: the JDK's HttpServer keeps a
 * non-daemon dispatcher thread, and one left running once kept a finished benchmark's JVM alive.
 */
final class PushSink implements AutoCloseable {
  private final ServerSocket socket;
  private final AtomicInteger pushes = new AtomicInteger();

  PushSink() {
    try {
      socket = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a port on 127.0.0.1 for the benchmark's push sink", e);
    }
    Thread acceptor = new Thread(this::serve, "bench-push-sink");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void serve() {
    while (!socket.isClosed()) {
      try (Socket client = socket.accept()) {
        answer(client);
      } catch (IOException e) {
        // closed, or a client gone mid-request: the push counts only when read whole
      }
    }
  }

  /** Reads one request (headers, then Content-Length bytes of body) and answers 200, closing the connection. */
  private void answer(Socket client) throws IOException {
    InputStream in = client.getInputStream();
    long length = 0;
    for (String line = headerLine(in); !line.isEmpty(); line = headerLine(in)) {
      String lower = line.toLowerCase(Locale.ROOT);
      if (lower.startsWith("content-length:")) {
        length = Long.parseLong(lower.substring("content-length:".length()).trim());
      }
    }
    in.skipNBytes(length);
    pushes.incrementAndGet();
    OutputStream out = client.getOutputStream();
    out.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** One header line without its CRLF, read byte by byte so no byte of the body is taken with it. */
  private static String headerLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new EOFException("the request ended inside its headers");
      }
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }

  String url() {
    return "http://127.0.0.1:" + socket.getLocalPort();
  }

  int pushes() {
    return pushes.get();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing a listening socket on 127.0.0.1: nothing to do about it
    }
  }
}
