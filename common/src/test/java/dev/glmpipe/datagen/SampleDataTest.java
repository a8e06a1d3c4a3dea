package dev.glmpipe.datagen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glmpipe.config.ConfigLoader;
import dev.glmpipe.config.GlmpipeConfig;
import dev.glmpipe.io.DateRange;
import dev.glmpipe.runs.PipelineContext;
import dev.glmpipe.testing.SharedSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The datagen operation's files: raw days as before, and the delayed label feed beside them. */
class SampleDataTest {
  private static final DateRange WINDOW = new DateRange(LocalDate.parse("2026-11-01"), LocalDate.parse("2026-11-03"));

  @TempDir Path root;

  private SampleData.Result generate(String... overrides) {
    List<String> sets = new java.util.ArrayList<>(List.of("storage.root=" + root.toUri(), "storage.tables.raw=raw",
        "datagen.rows_per_day=800", "datagen.malformed_fraction=0.05"));
    sets.addAll(List.of(overrides));
    GlmpipeConfig config = ConfigLoader.load(List.of("../conf/local.yaml"), sets);
    return SampleData.of(PipelineContext.of(SharedSpark.get(), config)).dates(WINDOW).execute();
  }

  @Test
  void labelsLandDelayDaysAfterTheirDayAndMatchTheRawRows() throws IOException {
    SampleData.Result result = generate("datagen.labels={delay_days: 2}");

    assertThat(result.labelsTable()).endsWith("/labels");
    assertThat(result.labelRows()).isEqualTo(result.rows() - result.brokenRows());
    assertThat(Files.exists(root.resolve("labels/dt=2026-11-01"))).as("no labels have arrived on the first day").isFalse();
    assertThat(Files.exists(root.resolve("labels/dt=2026-11-02"))).isFalse();
    for (SampleData.Day day : result.days()) {
      LocalDate event = LocalDate.parse(day.dt());
      Path partition = root.resolve("labels/dt=" + event.plusDays(2));
      List<Path> files = list(partition);
      assertThat(files).as(partition.toString()).hasSize(1);
      assertThat(day.labelsPath()).endsWith(files.get(0).getFileName().toString());
      List<String> labels = Files.readAllLines(files.get(0));
      assertThat(labels.get(0)).isEqualTo("customer_id,churned,event_dt");
      assertThat(labels).hasSize(day.rows() - day.brokenRows() + 1).hasSize(day.labelRows() + 1);

      // Each label is the raw row's churned value for that customer; broken rows have none.
      Map<String, String> raw = new HashMap<>();
      for (String line : Files.readAllLines(root.resolve("raw/dt=" + event + "/churn-" + event + ".csv")).subList(1, day.rows() + 1)) {
        String[] f = line.split(",", -1);
        boolean broken = f.length != 10 || f[3].equals("n/a") || f[2].startsWith("-") || f[6].isEmpty()
            || f[6].equals("platinum") || f[1].equals("yesterday");
        raw.merge(f[0], broken ? "broken" : f[9], (a, b) -> a.equals(b) ? a : "conflict");
      }
      for (String line : labels.subList(1, labels.size())) {
        String[] f = line.split(",", -1);
        assertThat(f[2]).isEqualTo(day.dt());
        assertThat(raw.get(f[0])).as(f[0]).isEqualTo(f[1]);
      }
      assertThat(raw.values().stream().filter(v -> !v.equals("broken")).count()).isEqualTo(labels.size() - 1);
    }

    // A rerun replaces each label partition, it does not add a second file.
    generate("datagen.labels={delay_days: 2}");
    assertThat(list(root.resolve("labels/dt=2026-11-03"))).hasSize(1);
  }

  @Test
  void withoutTheOptionsRawFilesAreUnchangedAndNoLabelsAreWritten() throws IOException {
    SampleData.Result plain = generate();
    assertThat(plain.labelsTable()).isNull();
    assertThat(plain.labelRows()).isZero();
    assertThat(plain.days()).allSatisfy(d -> assertThat(d.labelsPath()).isNull());
    assertThat(Files.exists(root.resolve("labels"))).isFalse();
    assertThat(Files.readAllLines(root.resolve("raw/dt=2026-11-01/churn-2026-11-01.csv")))
        .isEqualTo(ChurnGenerator.generate(LocalDate.parse("2026-11-01"), 800, 20261101, 0.05).lines());

    // A drift from the second day leaves the first day's file as it was and changes the others.
    generate("datagen.drift=[{from: 2026-11-02, kind: shift, column: support_calls, by: 2}]");
    assertThat(Files.readAllLines(root.resolve("raw/dt=2026-11-01/churn-2026-11-01.csv")))
        .isEqualTo(ChurnGenerator.generate(LocalDate.parse("2026-11-01"), 800, 20261101, 0.05).lines());
    assertThat(Files.readAllLines(root.resolve("raw/dt=2026-11-02/churn-2026-11-02.csv")))
        .isNotEqualTo(ChurnGenerator.generate(LocalDate.parse("2026-11-02"), 800, 20261101, 0.05).lines());
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> !p.getFileName().toString().startsWith(".") && !p.getFileName().toString().startsWith("_")).toList();
    }
  }
}
