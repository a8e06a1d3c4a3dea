package dev.glmpipe.score;

/** A fitted stage the compiler cannot mirror exactly; scoring then falls back to MLlib. */
public final class UnsupportedStageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UnsupportedStageException(String stage, String reason) {
    super(stage + ": " + reason);
  }
}
