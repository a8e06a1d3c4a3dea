package dev.glmpipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glmpipe.testing.SharedSpark;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every run has an id: the caller's (as a scheduler passes it) or a generated one, in its result and Spark jobs. */
class RunIdIT {
  @TempDir Path root;

  @Test
  void theCallersRunIdIsInTheResultAndEverySparkJobDescription() throws Exception {
    JobRunner jobs = new JobRunner(root, "datagen.rows_per_day=200");
    List<String> descriptions = new CopyOnWriteArrayList<>();
    List<String> groups = new CopyOnWriteArrayList<>();
    SparkListener listener = new SparkListener() {
      @Override
      public void onJobStart(SparkListenerJobStart start) {
        String d = start.properties() == null ? null : start.properties().getProperty("spark.job.description");
        if (d != null) {
          descriptions.add(d);
        }
        String g = start.properties() == null ? null : start.properties().getProperty("spark.jobGroup.id");
        if (g != null) {
          groups.add(g);
        }
      }
    };
    SharedSpark.get().sparkContext().addSparkListener(listener);
    String airflow = "scheduled__2026-11-07T02:00:00+00:00-try1";
    try {
      jobs.ok("datagen", "--dt", "2026-11-07");
      assertThat(jobs.ok("preprocess", "--dt", "2026-11-07", "--run-id", airflow).get("run_id").asText()).isEqualTo(airflow);
      SharedSpark.get().sparkContext().listenerBus().waitUntilEmpty();
    } finally {
      SharedSpark.get().sparkContext().removeSparkListener(listener);
    }
    assertThat(descriptions).isNotEmpty().anySatisfy(d -> assertThat(d).startsWith("[" + airflow + "] "));
    assertThat(groups).isNotEmpty().anySatisfy(g -> assertThat(g).startsWith(airflow + "/"));
    // The id does not outlive its run on the shared session.
    assertThat(SharedSpark.get().sparkContext().getLocalProperty("glmpipe.run_id")).isNull();
  }

  @Test
  void aRunWithoutOneGetsAGeneratedIdAndABadOneIsAUsageError() {
    JobRunner jobs = new JobRunner(root, "datagen.rows_per_day=50");
    String generated = jobs.ok("datagen", "--dt", "2026-11-07").get("run_id").asText();
    assertThat(generated).matches("datagen-\\d{8}T\\d{6}Z-[0-9a-f]{4}");
    assertThat(jobs.ok("datagen", "--dt", "2026-11-07").get("run_id").asText()).isNotEqualTo(generated);

    JobRunner.Run bad = jobs.run("datagen", "--dt", "2026-11-07", "--run-id", "../etc/passwd");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.stderr()).contains("--run-id").contains("'../etc/passwd'");
  }
}
