package dev.glmpipe.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glmpipe.spark.ImputerModels;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.feature.ImputerModel;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a saved {@link PipelineModel} without the Spark jobs of {@code PipelineModel.load}.
 *
 * <p>{@code PipelineModel.load} reads the stages one after another, each with three or four
 * tiny Spark jobs (its metadata twice, then its data) whose cost is almost all scheduling
 * latency: about a second for an eight-stage pipeline, paid by every score run before it can
 * start scoring. Here the pipeline's metadata (the stage uids, in order) is read directly from
 * storage, and the stages side by side, each on a thread of its own: by {@link SavedStageReader}
 * on the driver, or for a stage it does not know by the stage class's own {@code
 * read().load(dir)}, which is what {@code PipelineModel.load} calls. The result is the same
 * objects, except that an imputer's surrogates are held on the driver ({@link
 * #withLocalSurrogates}).
 */
final class PipelineLoader {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineLoader.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int THREADS = 8;

  private PipelineLoader() {}

  static PipelineModel load(Configuration conf, Path dir) {
    JsonNode pipeline = metadata(conf, dir);
    String type = pipeline.path("class").asText();
    if (!PipelineModel.class.getName().equals(type)) {
      throw new IllegalArgumentException(dir + " holds a " + type + ", not a " + PipelineModel.class.getName());
    }
    List<String> uids = new ArrayList<>();
    pipeline.path("paramMap").path("stageUids").forEach(uid -> uids.add(uid.asText()));
    // Stage directories are named as MLlib's Pipeline writer names them: the index, zero-padded
    // to the digits of the stage count, then the uid.
    String index = "%0" + String.valueOf(uids.size()).length() + "d_%s";
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(THREADS, uids.size())), r -> {
      Thread t = new Thread(r, "glmpipe-model-load");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<Transformer>> loads = new ArrayList<>();
      for (int i = 0; i < uids.size(); i++) {
        Path stageDir = new Path(new Path(dir, "stages"), String.format(index, i, uids.get(i)));
        loads.add(pool.submit(() -> loadStage(conf, stageDir)));
      }
      Transformer[] stages = new Transformer[uids.size()];
      for (int i = 0; i < stages.length; i++) {
        stages[i] = loads.get(i).get();
      }
      return new PipelineModel(pipeline.path("uid").asText(), stages);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException("cannot load " + dir, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while loading " + dir, e);
    } finally {
      pool.shutdownNow();
    }
  }

  private static Transformer loadStage(Configuration conf, Path stageDir) throws ReflectiveOperationException {
    String line = metadataLine(conf, stageDir);
    try {
      Optional<Transformer> read = SavedStageReader.read(conf, stageDir, line);
      if (read.isPresent()) {
        return read.get();
      }
      LOG.info("{}: a {}, read by MLlib's reader", stageDir.getName(), type(line, stageDir));
    } catch (IOException | RuntimeException e) {
      LOG.warn("{}: not read on the driver ({}), reading it with MLlib's reader", stageDir.getName(), e.toString());
    }
    MLReader<?> reader = (MLReader<?>) Class.forName(type(line, stageDir)).getMethod("read").invoke(null);
    return withLocalSurrogates((Transformer) reader.load(stageDir.toString()));
  }

  /**
   * An imputer whose surrogates are held on the driver (a local relation), with the same uid,
   * params and values. MLlib's ImputerModel reads its surrogate row with a Spark job on every
   * {@code transform}; a job submitted while a scoring job runs waits behind all that job's
   * tasks, and the parity check transforms its sample exactly then. Read once here instead.
   */
  private static Transformer withLocalSurrogates(Transformer stage) {
    if (!(stage instanceof ImputerModel imputer)) {
      return stage;
    }
    return ImputerModels.local(imputer);
  }

  private static JsonNode metadata(Configuration conf, Path dir) {
    return parse(metadataLine(conf, dir), dir);
  }

  private static String type(String metadataLine, Path dir) {
    return parse(metadataLine, dir).path("class").asText();
  }

  private static JsonNode parse(String line, Path dir) {
    try {
      return JSON.readTree(line);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse the MLlib metadata of " + dir, e);
    }
  }

  /** The one JSON line MLlib writes as {@code dir/metadata/part-00000}. */
  private static String metadataLine(Configuration conf, Path dir) {
    Path metadataDir = new Path(dir, "metadata");
    try {
      FileSystem fs = metadataDir.getFileSystem(conf);
      for (FileStatus f : fs.listStatus(metadataDir, p -> p.getName().startsWith("part-"))) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(f.getPath()), StandardCharsets.UTF_8))) {
          String line = in.readLine();
          if (line != null) {
            return line;
          }
        }
      }
      throw new IllegalArgumentException("no MLlib metadata under " + metadataDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + metadataDir, e);
    }
  }
}
