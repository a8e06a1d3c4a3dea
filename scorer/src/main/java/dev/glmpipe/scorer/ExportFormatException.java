package dev.glmpipe.scorer;

/** A {@code coefficients.json} the scorer cannot read: not the export's format, or from an export older than the scorer. */
public final class ExportFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public ExportFormatException(String message) {
    super("coefficients.json: " + message);
  }
}
