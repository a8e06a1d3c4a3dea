package dev.glmpipe.scorer;

/**
 * A record the model cannot score, naming the input: a missing column, a value of the wrong
 * type, or a value the batch scorer would fail on too (a NaN where the pipeline imputes none).
 */
public final class InvalidInputException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String field;
  private final String problem;

  public InvalidInputException(String field, String problem) {
    super("'" + field + "': " + problem);
    this.field = field;
    this.problem = problem;
  }

  /** What is wrong with the field, without its name. */
  public String problem() {
    return problem;
  }

  /** The input column (or, from the service, the request field) the problem is about. */
  public String field() {
    return field;
  }
}
