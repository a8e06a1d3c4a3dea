package dev.glmpipe;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Threads for driver-side work that runs next to a Spark job (a model load, a small job beside
 * a large one); not the common pool, which has a single thread on two cores.
 */
public final class DriverThreads {
  public static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "glmpipe-driver");
    t.setDaemon(true);
    return t;
  });

  private DriverThreads() {}

  /** The future's value, or the runtime exception it failed with (not wrapped). */
  public static <T> T joined(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }
}
