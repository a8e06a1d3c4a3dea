package dev.glmpipe.scorer;

/** An export whose files do not match its manifest (changed, missing or unexpected): refused. */
public final class ExportVerificationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ExportVerificationException(String message) {
    super(message);
  }
}
