package dev.glmpipe.scorer.json;

/** A document that is not JSON, with where it stops being JSON. */
public final class JsonException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public JsonException(String message) {
    super(message);
  }
}
