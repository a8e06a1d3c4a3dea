package dev.glmpipe.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two promotes at once, many times over, with a reader polling the alias throughout: the reader
 * always finds a whole alias naming a real version, and after each round the champion is one of
 * the two contenders.
 */
class ConcurrentPromoteTest {
  @TempDir Path tmp;

  @Test
  void racingPromotesLeaveAValidAliasPointingAtOneOfThem() throws Exception {
    Configuration conf = new Configuration();
    ModelRegistry registry = new ModelRegistry(conf, new org.apache.hadoop.fs.Path(tmp.toUri()), "m");
    List<String> versions = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      versions.add(registry.versions().create(draft -> RegistryFixtures.writeModel(conf, draft, 1)));
    }
    ExecutorService pool = Executors.newFixedThreadPool(3);
    AtomicBoolean done = new AtomicBoolean();
    ConcurrentLinkedQueue<String> readerErrors = new ConcurrentLinkedQueue<>();
    Future<Integer> reader = pool.submit(() -> {
      int reads = 0;
      while (!done.get()) {
        try {
          Optional<AliasStore.Alias> a = registry.aliases().get(AliasStore.CHAMPION);
          if (a.isPresent() && !versions.contains(a.get().version())) {
            readerErrors.add("champion names an unknown version: " + a.get().version());
          }
          reads++;
        } catch (RuntimeException e) {
          readerErrors.add(e.toString());
        }
      }
      return reads;
    });
    try {
      for (int round = 0; round < 12; round++) {
        String a = versions.get(round % 4);
        String b = versions.get((round + 1) % 4);
        CyclicBarrier start = new CyclicBarrier(2);
        Future<?> first = pool.submit(() -> {
          start.await();
          return registry.aliases().promote(a);
        });
        Future<?> second = pool.submit(() -> {
          start.await();
          return registry.aliases().promote(b);
        });
        first.get(30, TimeUnit.SECONDS);
        second.get(30, TimeUnit.SECONDS);
        assertThat(registry.aliases().champion().version()).as("round %d", round).isIn(a, b);
        assertThat(registry.champion().requireVerified().id()).isIn(a, b);
      }
    } finally {
      done.set(true);
      int reads = reader.get(30, TimeUnit.SECONDS);
      pool.shutdownNow();
      assertThat(reads).isPositive();
    }
    assertThat(readerErrors).isEmpty();
    // Every promote that changed something left its own audit record.
    assertThat(registry.aliases().history()).isNotEmpty().allMatch(c -> versions.contains(c.version()));
  }
}
