package dev.glmpipe.config;

import java.util.List;

/** The input dataset: how raw files are read and the contract every row must meet. */
public record DatasetConfig(
    String name, InputConfig input, List<String> keyColumns, String label, ContractConfig contract) {

  public enum InputFormat { CSV, JSON, PARQUET }

  public record InputConfig(InputFormat format, CsvConfig csv) {}

  public record CsvConfig(boolean header, String delimiter, String quote, String encoding) {}

  /**
   * @param maxQuarantineFraction above this share of quarantined rows the partition is not
   *     published to the features table and the job exits with code 3
   * @param unique a key no two valid rows of a partition may share, and which duplicate wins
   */
  public record ContractConfig(
      List<ColumnContract> columns, double maxQuarantineFraction, @ConfigOptional UniqueKey unique) {

    /** The contract as a config tree (see {@link ConfigTree}): what its SHA-256 is computed from. */
    public java.util.Map<String, Object> toTree() {
      return ConfigTree.of(this);
    }
  }

  /** Which of several rows with the same key is kept: the other ones are quarantined. */
  public enum Keep { LATEST, EARLIEST, NONE }

  /**
   * @param orderBy the column that decides "latest" and "earliest" (ties go to the row that
   *     sorts first by input file, then by content, so reruns pick the same row)
   */
  public record UniqueKey(List<String> columns, Keep keep, @ConfigOptional String orderBy) {}

  public enum ColumnType { STRING, INTEGER, LONG, DOUBLE, BOOLEAN, DATE, TIMESTAMP;

    public boolean isNumeric() {
      return this == INTEGER || this == LONG || this == DOUBLE;
    }
  }

  /**
   * One column's rules. Absent optional keys mean "no rule"; {@code nullable} defaults to true.
   *
   * @param format for DATE and TIMESTAMP columns, a Spark datetime pattern; ISO 8601 if absent
   */
  public record ColumnContract(
      String name,
      ColumnType type,
      @ConfigOptional Boolean nullable,
      @ConfigOptional Double min,
      @ConfigOptional Double max,
      @ConfigOptional List<String> allowed,
      @ConfigOptional String pattern,
      @ConfigOptional String format) {

    public boolean isNullable() {
      return nullable == null || nullable;
    }
  }

  public ColumnContract column(String name) {
    return contract.columns().stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
  }
}
