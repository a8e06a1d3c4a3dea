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

  /** The same report after {@code losers} valid rows were found to lose to a row with the same key. */
  ContractReport withDuplicates(long losers) {
    Map<String, Long> byReason = new java.util.LinkedHashMap<>(rowsByReason);
    if (losers > 0) {
      byReason.merge(ReasonCode.DUPLICATE_KEY.name(), losers, Long::sum);
    }
    return new ContractReport(inputRows, validRows - losers, quarantinedRows + losers, byReason,
        extraColumns, missingOptionalColumns);
  }

  public double quarantineFraction() {
    return inputRows == 0 ? 0.0 : (double) quarantinedRows / inputRows;
  }

  public boolean exceeds(double maxQuarantineFraction) {
    return quarantineFraction() > maxQuarantineFraction;
  }
}
