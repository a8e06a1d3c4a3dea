package dev.glmpipe.io;

import dev.glmpipe.config.GlmpipeConfig;
import org.apache.hadoop.conf.Configuration;

/** Hadoop settings for code that works without Spark (the registry and run record commands). */
public final class HadoopSettings {
  private HadoopSettings() {}

  /** The Hadoop settings a Spark job would get: the {@code spark.hadoop.*} keys of the config's spark.conf. */
  public static Configuration of(GlmpipeConfig config) {
    Configuration conf = new Configuration();
    config.spark().confOrEmpty().forEach((k, v) -> {
      if (k.startsWith("spark.hadoop.")) {
        conf.set(k.substring("spark.hadoop.".length()), v);
      }
    });
    return conf;
  }
}
