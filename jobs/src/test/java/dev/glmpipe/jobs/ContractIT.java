package dev.glmpipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glmpipe.config.ConfigLoader;
import dev.glmpipe.contract.ContractRecord;
import dev.glmpipe.io.JsonFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data contract travels with the data: each features partition records the contract it was
 * checked against, the model version records the contracts of its training window, and score
 * refuses a partition preprocessed again under a contract that dropped or retyped a column the
 * model reads, before it writes anything.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContractIT {
  private static final String D1 = "2026-11-01";
  private static final String D2 = "2026-11-02";
  private static final String D3 = "2026-11-03";

  /** The shipped contract's columns, as a YAML flow list for --set. */
  private static final List<String> COLUMNS = List.of(
      "{name: customer_id, type: string, nullable: false, pattern: 'C[0-9]{8}-[0-9]{6}'}",
      "{name: last_login_at, type: timestamp, nullable: false}",
      "{name: tenure_months, type: integer, nullable: false, min: 0, max: 600}",
      "{name: monthly_charges, type: double, nullable: false, min: 0, max: 10000}",
      "{name: support_calls, type: integer, nullable: false, min: 0, max: 1000}",
      "{name: data_usage_gb, type: double, nullable: true, min: 0}",
      "{name: plan, type: string, nullable: false, allowed: [basic, standard, premium]}",
      "{name: region, type: string, nullable: false}",
      "{name: autopay, type: boolean, nullable: false}",
      "{name: churned, type: integer, nullable: false, allowed: [\"0\", \"1\"]}");

  @TempDir static Path root;

  private JobRunner jobs;
  private String shippedHash;
  private String version;

  @BeforeAll
  void champion() {
    jobs = new JobRunner(root, "datagen.rows_per_day=1000");
    jobs.ok("datagen", "--from", D1, "--to", D3);
    JsonNode pre = jobs.ok("preprocess", "--from", D1, "--to", D3);
    shippedHash = ContractRecord.sha256(ConfigLoader.load(List.of("../conf/local.yaml"), List.of()).dataset().contract());
    for (JsonNode p : pre.get("partitions")) {
      assertThat(p.get("contract_sha256").asText()).isEqualTo(shippedHash);
    }
    version = jobs.ok("train", "--from", D1, "--to", D2).get("version").asText();
    jobs.ok("evaluate");
    jobs.ok("export");
  }

  @Test
  @Order(1)
  void thePartitionsAndTheManifestCarryTheContractHash() throws IOException {
    for (String dt : List.of(D1, D2, D3)) {
      JsonNode recorded = JsonFiles.MAPPER.readTree(contractFile(dt).toFile());
      assertThat(recorded.get("sha256").asText()).isEqualTo(shippedHash);
      assertThat(recorded.get("contract").get("columns")).hasSize(COLUMNS.size());
    }
    JsonNode manifest = JsonFiles.MAPPER.readTree(root.resolve("models/churn/versions/" + version + "/manifest.json").toFile());
    JsonNode contracts = manifest.get("input_contracts");
    assertThat(contracts).hasSize(1);
    assertThat(contracts.get(0).get("sha256").asText()).isEqualTo(shippedHash);
    assertThat(contracts.get(0).get("dates")).extracting(JsonNode::asText).containsExactly(D1, D2);
  }

  @Test
  @Order(2)
  void aPartitionPreprocessedUnderAContractThatNoLongerFitsTheModelIsRefusedBeforeAnythingIsWritten() throws IOException {
    // Day 2 without a column the model reads (and a feature spec without it, as config must
    // name only contract columns), day 3 with one retyped.
    JsonNode dropped = jobs.ok("preprocess", "--dt", D2, "--set", "dataset.contract.columns=" + columns(
        COLUMNS.stream().filter(c -> !c.contains("data_usage_gb")).toList()), "--set", "features.numeric=["
        + "{column: tenure_months, impute: median, buckets: 6}, {column: monthly_charges, impute: mean, scale: standard},"
        + " {column: support_calls, impute: median, clip: [0, 20], transform: log1p}]");
    JsonNode retyped = jobs.ok("preprocess", "--dt", D3, "--set", "dataset.contract.columns=" + columns(
        COLUMNS.stream().map(c -> c.contains("tenure_months") ? c.replace("integer", "double") : c).toList()));
    String droppedHash = dropped.get("partitions").get(0).get("contract_sha256").asText();
    String retypedHash = retyped.get("partitions").get(0).get("contract_sha256").asText();
    assertThat(List.of(droppedHash, retypedHash)).doesNotContain(shippedHash).doesNotHaveDuplicates();
    assertThat(JsonFiles.MAPPER.readTree(contractFile(D3).toFile()).get("sha256").asText()).isEqualTo(retypedHash);

    JobRunner.Run all = jobs.run("score", "--from", D1, "--to", D3);
    assertThat(all.exitCode()).as(all.stderr()).isEqualTo(3);
    assertThat(all.stderr()).doesNotContain("\n").startsWith("glmpipe score: error: ")
        .contains("dt=" + D2 + ": column 'data_usage_gb' is missing")
        .contains("dt=" + D3 + ": column 'tenure_months' is double, the model reads int")
        .doesNotContain("dt=" + D1);
    // Not even day 1, which fits, was scored.
    assertThat(root.resolve("scores")).doesNotExist();

    JobRunner.Run one = jobs.run("score", "--dt", D3);
    assertThat(one.exitCode()).isEqualTo(3);
    assertThat(one.stderr()).contains("feature partition does not fit the input schema of churn version " + version)
        .contains("dt=" + D3 + ": column 'tenure_months' is double, the model reads int");
    JobRunner.Run fresh = jobs.run("score", "--new");
    assertThat(fresh.exitCode()).isEqualTo(3);
    assertThat(root.resolve("scores")).doesNotExist();
  }

  @Test
  @Order(3)
  void partitionsWithoutARecordedContractAreJudgedByTheirParquetSchema() throws IOException {
    // As a partition written before contracts were recorded: no _contract.json.
    Files.delete(contractFile(D1));
    Files.delete(contractFile(D3));
    JsonNode scored = jobs.ok("score", "--dt", D1);
    assertThat(scored.get("partitions")).hasSize(1);
    JobRunner.Run old = jobs.run("score", "--dt", D3);
    assertThat(old.exitCode()).isEqualTo(3);
    assertThat(old.stderr()).contains("dt=" + D3 + ": column 'tenure_months' is double, the model reads int");
    assertThat(root.resolve("scores/churn/dt=" + D3)).doesNotExist();

    // Preprocessed again under the contract the model was trained on, it scores.
    jobs.ok("preprocess", "--dt", D3);
    assertThat(jobs.ok("score", "--dt", D3).get("partitions")).hasSize(1);
  }

  private static String columns(List<String> columns) {
    return columns.stream().collect(Collectors.joining(", ", "[", "]"));
  }

  private static Path contractFile(String dt) {
    return root.resolve("features/dt=" + dt + "/_contract.json");
  }
}
