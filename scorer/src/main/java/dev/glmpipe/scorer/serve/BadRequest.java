package dev.glmpipe.scorer.serve;

/** A request the service refuses, with its status code and one message naming the field. */
final class BadRequest extends RuntimeException {
  private static final long serialVersionUID = 1L;

  final int status;
  final String reason;

  BadRequest(int status, String reason, String message) {
    super(message, null, false, false);
    this.status = status;
    this.reason = reason;
  }

  static BadRequest of(String message) {
    return new BadRequest(400, "bad_request", message);
  }
}
