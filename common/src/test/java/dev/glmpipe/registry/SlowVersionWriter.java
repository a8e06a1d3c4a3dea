package dev.glmpipe.registry;

import dev.glmpipe.io.StoreSemantics;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * A child JVM that writes a model version slowly (one file every 20 ms, for a minute), so a
 * test can kill it midway. Prints {@code STARTED <version>} once the first file is written.
 *
 * <p>Arguments: the models root URI, and {@code true}/{@code false} for whether the store's
 * rename is atomic (false: the object-store path, written in place).
 */
public final class SlowVersionWriter {
  private SlowVersionWriter() {}

  public static void main(String[] args) {
    Configuration conf = new Configuration();
    conf.set(StoreSemantics.ATOMIC_RENAME_KEY, args[1]);
    ModelRegistry registry = new ModelRegistry(conf, new Path(args[0]), "m");
    registry.versions().create(draft -> {
      try {
        var fs = draft.dir().getFileSystem(conf);
        for (int i = 0; i < 3000; i++) {
          RegistryFixtures.writeFile(fs, new Path(draft.modelDir(), "part-" + i), "weights " + i);
          if (i == 0) {
            System.out.println("STARTED " + draft.version());
            System.out.flush();
          }
          Thread.sleep(20);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return RegistryFixtures.manifest("m", draft.version());
    });
  }
}
