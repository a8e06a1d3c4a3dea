package dev.glmpipe.io;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The data contract a features partition was checked against, kept beside its rows as
 * {@code _contract.json} (a name Spark's partition discovery and {@code *.parquet} globs skip).
 * It is written into the staged partition before the staged directory is published, so a
 * partition published with it never appears without it; partitions written before contracts
 * were recorded have none.
 *
 * @param sha256 {@code sha256:<hex>} of the contract's canonical JSON (its config tree: YAML key
 *     names, sorted keys, absent keys left out): two partitions with the same hash were checked
 *     against the same rules
 * @param columns every column the partition holds, with the Spark SQL type
 *     ({@code DataType.simpleString}) and nullability the contract gives it
 * @param contract the contract itself, as config ({@code dataset.contract})
 */
public record PartitionContract(String sha256, List<Column> columns, Map<String, Object> contract) {
  public static final String FILE = "_contract.json";

  /** One column of the partition as the contract types it. */
  public record Column(String name, String type, boolean nullable) {}

  public Optional<Column> column(String name) {
    return columns.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /**
   * The partitions of a window checked against one contract: {@code sha256} null for partitions
   * with no recorded contract (written before contracts were recorded).
   */
  public record Use(String sha256, List<String> dates) {}
}
