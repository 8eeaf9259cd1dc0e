package dev.conductor.platform.problem;

import java.util.List;

/**
 * A domain failure that becomes an {@code application/problem+json} answer. Services throw it (or a
 * subclass) and never build error responses by hand.
 */
public class ProblemException extends RuntimeException {
  /** Where the problem types Conductor names live ({@code type} = this + a short name). */
  public static final String TYPES = "https://conductor.dev/problems/";

  private final String type;
  private final int status;
  private final String title;
  private final String field;
  private final List<Problem.FieldError> errors;

  public ProblemException(int status, String title, String detail) {
    this(status, title, detail, null, null);
  }

  public ProblemException(
      int status, String title, String detail, String field, List<Problem.FieldError> errors) {
    this(null, status, title, detail, field, errors);
  }

  private ProblemException(
      String type,
      int status,
      String title,
      String detail,
      String field,
      List<Problem.FieldError> errors) {
    super(detail);
    this.type = type;
    this.status = status;
    this.title = title;
    this.field = field;
    this.errors = errors == null ? null : List.copyOf(errors);
  }

  public static ProblemException badRequest(String field, String detail) {
    return new ProblemException(
        400, "Invalid request", detail, field, List.of(new Problem.FieldError(field, detail)));
  }

  public static ProblemException invalid(List<Problem.FieldError> errors) {
    String first = errors.isEmpty() ? null : errors.get(0).field();
    String detail =
        errors.stream()
            .map(e -> e.field() + ": " + e.message())
            .reduce((a, b) -> a + "; " + b)
            .orElse("invalid request");
    return new ProblemException(400, "Invalid request", detail, first, errors);
  }

  public static ProblemException notFound(String what) {
    return new ProblemException(404, "Not found", what + " does not exist");
  }

  public static ProblemException conflict(String detail) {
    return new ProblemException(409, "Conflict", detail);
  }

  /**
   * A conflict of a named kind that clients act on, e.g. {@code no-capacity}: the problem's {@code
   * type} is {@link #TYPES} + {@code kind}.
   */
  public static ProblemException conflict(String kind, String detail) {
    return new ProblemException(TYPES + kind, 409, "Conflict", detail, null, null);
  }

  /**
   * 422: the request is well-formed but what it would store or emit is over a size limit ({@code
   * field} names the part at fault when one does); type {@link #TYPES}{@code too-large}.
   */
  public static ProblemException tooLarge(String field, String detail) {
    return new ProblemException(
        TYPES + "too-large",
        422,
        "Too large",
        detail,
        field,
        field == null ? null : List.of(new Problem.FieldError(field, detail)));
  }

  public static ProblemException unauthorized(String detail) {
    return new ProblemException(401, "Unauthorized", detail);
  }

  public static ProblemException forbidden(String detail) {
    return new ProblemException(403, "Forbidden", detail);
  }

  public static ProblemException unavailable(String detail) {
    return new ProblemException(503, "Service unavailable", detail);
  }

  public int status() {
    return status;
  }

  public Problem toProblem() {
    return new Problem(
        type == null ? "about:blank" : type, title, status, getMessage(), field, errors);
  }
}
