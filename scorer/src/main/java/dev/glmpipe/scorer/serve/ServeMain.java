package dev.glmpipe.scorer.serve;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar glmpipe-scorer-<version>-service.jar --models DIR --model NAME [options]}: the
 * prediction service for one model, from a local or mounted copy of the registry's
 * {@code models/} directory. Options: {@code --host} (127.0.0.1; 0.0.0.0 in a container),
 * {@code --port} (8080), {@code --poll-seconds} (5), {@code --max-body-bytes} (1048576),
 * {@code --max-instances} (10000), {@code --threads}. Exit 2 for a usage error, 3 when no
 * verified champion can be served.
 */
public final class ServeMain {
  private ServeMain() {}

  public static void main(String[] args) throws Exception {
    Path models = null;
    String name = null;
    ModelServer.Settings s = ModelServer.Settings.defaults();
    try {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--help") || a.equals("-h")) {
          System.out.println("usage: serve --models DIR --model NAME [--host H] [--port P] [--poll-seconds S]"
              + " [--max-body-bytes N] [--max-instances N] [--threads N]");
          return;
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(a + " needs a value");
        }
        String v = args[++i];
        switch (a) {
          case "--models" -> models = Path.of(v);
          case "--model" -> name = v;
          case "--host" -> s = s.withHost(v);
          case "--port" -> s = s.withPort(Integer.parseInt(v));
          case "--poll-seconds" -> s = s.withPollSeconds(Double.parseDouble(v));
          case "--max-body-bytes" -> s = s.withMaxBodyBytes(Integer.parseInt(v));
          case "--max-instances" -> s = new ModelServer.Settings(s.host(), s.port(), s.pollSeconds(), s.maxBodyBytes(),
              Integer.parseInt(v), s.threads());
          case "--threads" -> s = new ModelServer.Settings(s.host(), s.port(), s.pollSeconds(), s.maxBodyBytes(),
              s.maxInstances(), Integer.parseInt(v));
          default -> throw new IllegalArgumentException("unknown option " + a);
        }
      }
      if (models == null || name == null) {
        throw new IllegalArgumentException("--models DIR and --model NAME are required");
      }
    } catch (IllegalArgumentException e) {
      System.err.println("glmpipe serve: error: " + e.getMessage());
      System.exit(2);
      return;
    }
    ModelServer server;
    try {
      server = new ModelServer(new LocalRegistry(models, name), s).start();
    } catch (IllegalStateException e) {
      System.err.println("glmpipe serve: error: " + e.getMessage());
      System.exit(3);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }));
    stopped.await();
  }
}
