package dev.glmpipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glmpipe.testing.ParquetFooters;
import dev.glmpipe.testing.SharedSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** preprocess through the launcher: the quarantine threshold and schema drift. */
class PreprocessIT {
  @TempDir Path root;

  @Test
  void tooManyBadRowsKeepsTheQuarantineButPublishesNothing() {
    JobRunner jobs = new JobRunner(root, "datagen.rows_per_day=2000", "datagen.malformed_fraction=0.2");
    JsonNode generated = jobs.ok("datagen", "--dt", "2026-11-01");

    JobRunner.Run run = jobs.run("preprocess", "--dt", "2026-11-01");
    assertThat(run.exitCode()).isEqualTo(3);
    assertThat(run.stderr()).contains("not published, too many rows quarantined: dt=2026-11-01 quarantined");
    assertThat(root.resolve("features/dt=2026-11-01")).doesNotExist();
    long quarantined = SharedSpark.get().read().parquet(root.resolve("quarantine/dt=2026-11-01").toString()).count();
    assertThat(quarantined).isEqualTo(generated.get("broken_rows").asLong());

    // The same data passes once the threshold allows it, and then is published.
    JsonNode ok = new JobRunner(root, "dataset.contract.max_quarantine_fraction=0.5").ok("preprocess", "--dt", "2026-11-01");
    assertThat(ok.get("valid_rows").asLong() + ok.get("quarantined_rows").asLong()).isEqualTo(2000);
    assertThat(root.resolve("features/dt=2026-11-01/_SUCCESS")).exists();
    // The uniqueness key never repeats in the features table: written plain, not through a dictionary.
    assertThat(ok.get("partitions").get(0).get("report").get("rows_by_reason").has("DUPLICATE_KEY")).isTrue();
    assertThat(ParquetFooters.dictionaryEncoded(root.resolve("features/dt=2026-11-01")))
        .containsEntry("customer_id", false).containsEntry("plan", true);

    // Rerun under the strict threshold: the earlier run's rows must not stay behind for train
    // and score to pick up.
    assertThat(jobs.run("preprocess", "--dt", "2026-11-01").exitCode()).isEqualTo(3);
    assertThat(root.resolve("features/dt=2026-11-01")).doesNotExist();
  }

  private void writeRaw(String dt, List<String> lines) throws IOException {
    Path dir = Files.createDirectories(root.resolve("raw/dt=" + dt));
    Files.write(dir.resolve("part.csv"), lines);
  }

  @Test
  void extraColumnIsReportedAndIgnored() throws IOException {
    writeRaw("2026-11-02", List.of(
        "customer_id,last_login_at,tenure_months,monthly_charges,support_calls,data_usage_gb,plan,region,autopay,churned,promo_code",
        "C20261102-000001,2026-11-01 10:00:00,12,50.5,1,3.2,basic,north,true,0,SPRING",
        "C20261102-000002,2026-11-01 11:00:00,3,70.0,0,,premium,west,false,1,"));
    JsonNode result = new JobRunner(root).ok("preprocess", "--dt", "2026-11-02");
    JsonNode report = result.get("partitions").get(0).get("report");
    assertThat(report.get("extra_columns").get(0).asText()).isEqualTo("promo_code");
    assertThat(report.get("valid_rows").asLong()).isEqualTo(2);
    assertThat(SharedSpark.get().read().parquet(root.resolve("features/dt=2026-11-02").toString()).columns())
        .doesNotContain("promo_code");
  }

  @Test
  void missingRequiredColumnFailsNamingIt() throws IOException {
    writeRaw("2026-11-03", List.of(
        "customer_id,last_login_at,tenure_months,monthly_charges,data_usage_gb,plan,region,autopay,churned",
        "C20261103-000001,2026-11-01 10:00:00,12,50.5,3.2,basic,north,true,0"));
    JobRunner.Run run = new JobRunner(root).run("preprocess", "--dt", "2026-11-03");
    assertThat(run.exitCode()).isEqualTo(3);
    assertThat(run.stderr()).contains("glmpipe preprocess: error: required column support_calls missing from ");
    assertThat(root.resolve("features/dt=2026-11-03")).doesNotExist();
  }

  @Test
  void unreadableFileFailsNamingIt() throws IOException {
    Path dir = Files.createDirectories(root.resolve("raw/dt=2026-11-04"));
    Files.write(dir.resolve("part.csv.gz"), "not gzip at all".getBytes());
    JobRunner.Run run = new JobRunner(root).run("preprocess", "--dt", "2026-11-04");
    assertThat(run.exitCode()).isEqualTo(3);
    assertThat(run.stderr()).contains("glmpipe preprocess: error: cannot read input file ").contains("part.csv.gz");
  }
}
