package dev.glmpipe.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glmpipe.config.ConfigBinder;
import dev.glmpipe.config.ConfigLoader;
import dev.glmpipe.config.DatasetConfig.ContractConfig;
import dev.glmpipe.io.PartitionContract;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContractRecordTest {
  private static ContractConfig shipped(String... sets) {
    return ConfigLoader.load(List.of("../conf/local.yaml"), List.of(sets)).dataset().contract();
  }

  @Test
  void recordsEveryColumnWithTheSparkTypeTheContractGivesIt() {
    PartitionContract r = ContractRecord.of(shipped());
    assertThat(r.sha256()).matches("sha256:[0-9a-f]{64}");
    assertThat(r.column("customer_id")).contains(new PartitionContract.Column("customer_id", "string", false));
    assertThat(r.column("tenure_months").orElseThrow().type()).isEqualTo("int");
    assertThat(r.column("monthly_charges").orElseThrow().type()).isEqualTo("double");
    assertThat(r.column("last_login_at").orElseThrow().type()).isEqualTo("timestamp");
    assertThat(r.column("autopay").orElseThrow().type()).isEqualTo("boolean");
    assertThat(r.column("data_usage_gb").orElseThrow().nullable()).isTrue();
    assertThat(r.columns()).hasSize(shipped().columns().size());
    // The contract itself, as config: binding it again gives the same contract.
    assertThat(ConfigBinder.bind(r.contract(), ContractConfig.class)).isEqualTo(shipped());
  }

  @Test
  void theHashIgnoresHowTheYamlWasWrittenAndChangesWithAnyRule() {
    ContractConfig c = shipped();
    // Same rules, keys in another order (and spelled out in reverse): the same hash.
    Map<String, Object> reordered = new LinkedHashMap<>();
    List<String> keys = new java.util.ArrayList<>(c.toTree().keySet());
    java.util.Collections.reverse(keys);
    keys.forEach(k -> reordered.put(k, c.toTree().get(k)));
    assertThat(ContractRecord.sha256(ConfigBinder.bind(reordered, ContractConfig.class))).isEqualTo(ContractRecord.sha256(c));

    String otherLimit = ContractRecord.sha256(shipped("dataset.contract.max_quarantine_fraction=0.1"));
    assertThat(otherLimit).isNotEqualTo(ContractRecord.sha256(c));
    assertThat(ContractRecord.sha256(new ContractConfig(c.columns().subList(0, c.columns().size() - 1),
        c.maxQuarantineFraction(), c.unique()))).isNotEqualTo(ContractRecord.sha256(c));
  }
}
