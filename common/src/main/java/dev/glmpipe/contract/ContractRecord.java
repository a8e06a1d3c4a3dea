package dev.glmpipe.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glmpipe.config.DatasetConfig.ContractConfig;
import dev.glmpipe.io.PartitionContract;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * What preprocess records with each features partition: the contract, its SHA-256, and the
 * type it gives each column. The hash is over the contract's canonical JSON (its config tree:
 * YAML key names, sorted keys, absent keys left out, no whitespace), so it does not change with
 * key order or YAML style, and changes with any rule.
 */
public final class ContractRecord {
  private static final ObjectMapper CANONICAL = new ObjectMapper();

  private ContractRecord() {}

  public static PartitionContract of(ContractConfig contract) {
    Map<String, Object> tree = contract.toTree();
    List<PartitionContract.Column> columns = contract.columns().stream()
        .map(c -> new PartitionContract.Column(c.name(), ColumnRules.sparkType(c.type()).simpleString(), c.isNullable()))
        .toList();
    return new PartitionContract(sha256(tree), columns, tree);
  }

  /** {@code sha256:<hex>} of the contract's canonical JSON. */
  public static String sha256(ContractConfig contract) {
    return sha256(contract.toTree());
  }

  private static String sha256(Map<String, Object> tree) {
    try {
      byte[] json = CANONICAL.writeValueAsString(tree).getBytes(StandardCharsets.UTF_8);
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a config tree is always JSON", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
