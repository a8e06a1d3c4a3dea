package dev.glmpipe.score;

import dev.glmpipe.GlmpipeException;
import dev.glmpipe.io.PartitionedTable;
import dev.glmpipe.registry.ModelManifest;
import dev.glmpipe.registry.ModelVersion;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.StructField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Does each features partition still fit the model? Every column the model reads (its
 * manifest's {@code input_schema}) must be in the partition with the same Spark type. The
 * partition's types come from the contract recorded with it ({@link dev.glmpipe.io.PartitionContract}: one small
 * file, no Spark job) or, for a partition written before contracts were recorded, from its
 * Parquet schema. Nullability is not compared: the fitted pipeline decides what a null does.
 *
 * <p>Run for every date before anything is written, so a run that cannot score day 5 writes
 * nothing for day 1 either.
 */
public final class InputSchemaCheck {
  private static final Logger LOG = LoggerFactory.getLogger(InputSchemaCheck.class);

  private InputSchemaCheck() {}

  /**
   * Refuses (a data error, exit 3, one line) when a partition of {@code dates} lacks a column
   * {@code version} reads or has it with another type; names every such column and date.
   */
  public static void require(PartitionedTable features, List<LocalDate> dates, ModelVersion version) {
    ModelManifest manifest = version.manifest();
    if (manifest.inputSchema() == null) {
      LOG.warn("{} records no input schema: feature partitions not checked against it", version);
      return;
    }
    Map<LocalDate, List<String>> problems = new LinkedHashMap<>();
    for (LocalDate dt : dates) {
      List<String> p = problems(manifest.inputSchema(), partitionTypes(features, dt));
      if (!p.isEmpty()) {
        problems.put(dt, p);
      }
    }
    if (!problems.isEmpty()) {
      throw GlmpipeException.dataContract(message(version.toString(), problems));
    }
  }

  /**
   * Column name → Spark type ({@code simpleString}) of one partition: from its recorded
   * contract, else from its Parquet schema.
   */
  static Map<String, String> partitionTypes(PartitionedTable features, LocalDate dt) {
    Map<String, String> types = new LinkedHashMap<>();
    var recorded = features.contract(dt);
    if (recorded.isPresent()) {
      recorded.get().columns().forEach(c -> types.put(c.name(), c.type()));
    } else {
      for (StructField f : features.read(List.of(dt)).schema().fields()) {
        if (!f.name().equals(PartitionedTable.DT)) {
          types.put(f.name(), f.dataType().simpleString());
        }
      }
    }
    return types;
  }

  /** What keeps a partition with {@code partition}'s column types from fitting a model reading {@code reads}. */
  static List<String> problems(List<ModelManifest.SchemaField> reads, Map<String, String> partition) {
    List<String> problems = new ArrayList<>();
    for (ModelManifest.SchemaField f : reads) {
      String type = partition.get(f.name());
      if (type == null) {
        problems.add("column '" + f.name() + "' is missing (the model reads it as " + f.type() + ")");
      } else if (!type.equals(f.type())) {
        problems.add("column '" + f.name() + "' is " + type + ", the model reads " + f.type());
      }
    }
    return problems;
  }

  /** One line naming every date and column. */
  static String message(String version, Map<LocalDate, List<String>> problems) {
    List<String> parts = new ArrayList<>();
    problems.forEach((dt, p) -> parts.add("dt=" + dt + ": " + String.join(", ", p)));
    return "feature partition" + (problems.size() > 1 ? "s do" : " does") + " not fit the input schema of " + version
        + " (" + String.join("; ", parts) + "); nothing was scored. Preprocess "
        + (problems.size() > 1 ? "them" : "it") + " again under the contract the model was trained on, or train a new version";
  }
}
