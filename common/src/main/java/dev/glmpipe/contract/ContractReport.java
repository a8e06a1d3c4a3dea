package dev.glmpipe.contract;

import java.util.List;
import java.util.Map;

/**
 * What the contract check found in one partition. {@code validRows + quarantinedRows ==
 * inputRows} always; {@code rowsByReason} counts rows per code, so a row with two reasons counts
 * under both.
 */
public record ContractReport(
    long inputRows,
    long validRows,
    long quarantinedRows,
    Map<String, Long> rowsByReason,
    List<String> extraColumns,
    List<String> missingOptionalColumns) {

  public double quarantineFraction() {
    return inputRows == 0 ? 0.0 : (double) quarantinedRows / inputRows;
  }

  public boolean exceeds(double maxQuarantineFraction) {
    return quarantineFraction() > maxQuarantineFraction;
  }
}
