package dev.conductor.platform.problem;

import java.time.Duration;
import java.util.List;

/**
 * A domain failure of a kind from the catalogue ({@link ProblemType}); the REST edge ({@link
 * ProblemMappers}) turns it into an {@code application/problem+json} answer with that kind's
 * status. Services throw it and never build error responses by hand, nor name HTTP statuses.
 */
public class ProblemException extends RuntimeException {
  /** How long a client should wait before retrying an {@link ProblemType#UNAVAILABLE} answer. */
  public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);

  private final ProblemType type;
  private final String field;
  private final List<Problem.FieldError> errors;
  private final String decisionId;
  private final Duration retryAfter;

  public ProblemException(ProblemType type, String detail) {
    this(type, detail, null, null, null, null);
  }

  public ProblemException(
      ProblemType type, String detail, String field, List<Problem.FieldError> errors) {
    this(type, detail, field, errors, null, null);
  }

  private ProblemException(
      ProblemType type,
      String detail,
      String field,
      List<Problem.FieldError> errors,
      String decisionId,
      Duration retryAfter) {
    super(detail);
    this.type = type;
    this.field = field;
    this.errors = errors == null ? null : List.copyOf(errors);
    this.decisionId = decisionId;
    this.retryAfter =
        retryAfter == null && (type == ProblemType.UNAVAILABLE || type == ProblemType.QUOTA)
            ? DEFAULT_RETRY_AFTER
            : retryAfter;
  }

  public static ProblemException badRequest(String field, String detail) {
    return new ProblemException(
        ProblemType.VALIDATION, detail, field, List.of(new Problem.FieldError(field, detail)));
  }

  /** One answer naming every invalid field. */
  public static ProblemException invalid(List<Problem.FieldError> errors) {
    String first = errors.isEmpty() ? null : errors.get(0).field();
    String detail =
        errors.stream()
            .map(e -> e.field() + ": " + e.message())
            .reduce((a, b) -> a + "; " + b)
            .orElse("invalid request");
    return new ProblemException(ProblemType.VALIDATION, detail, first, errors);
  }

  public static ProblemException notFound(String what) {
    return new ProblemException(ProblemType.NOT_FOUND, what + " does not exist");
  }

  public static ProblemException conflict(String detail) {
    return new ProblemException(ProblemType.CONFLICT, detail);
  }

  /** A conflict naming each field at fault (a pool still in use, …). */
  public static ProblemException conflict(List<Problem.FieldError> errors, String detail) {
    return new ProblemException(
        ProblemType.CONFLICT, detail, errors.isEmpty() ? null : errors.get(0).field(), errors);
  }

  /**
   * What the request would store or emit is over a size limit ({@code field} names the part at
   * fault when one does).
   */
  public static ProblemException tooLarge(String field, String detail) {
    return new ProblemException(
        ProblemType.TOO_LARGE,
        detail,
        field,
        field == null ? null : List.of(new Problem.FieldError(field, detail)));
  }

  public static ProblemException unauthorized(String detail) {
    return new ProblemException(ProblemType.UNAUTHENTICATED, detail);
  }

  /** Denied without an access decision (no escalation, a token of the wrong kind). */
  public static ProblemException forbidden(String detail) {
    return new ProblemException(ProblemType.DENIED, detail);
  }

  /** Denied by the access decision {@code decisionId}: the answer names it, for the audit. */
  public static ProblemException denied(String decisionId, String detail) {
    return new ProblemException(ProblemType.DENIED, detail, null, null, decisionId, null);
  }

  public static ProblemException unavailable(String detail) {
    return new ProblemException(ProblemType.UNAVAILABLE, detail);
  }

  /** Too many requests; the client may try again after {@code retryAfter}. */
  public static ProblemException quota(String detail, Duration retryAfter) {
    return new ProblemException(ProblemType.QUOTA, detail, null, null, null, retryAfter);
  }

  public ProblemType type() {
    return type;
  }

  /** The field at fault (a JSON pointer, header or path parameter); null when none is. */
  public String field() {
    return field;
  }

  /** Every invalid field; null when the problem is not about fields. */
  public List<Problem.FieldError> errors() {
    return errors;
  }

  /** When a client may retry (unavailable, quota); null for other kinds. */
  public Duration retryAfter() {
    return retryAfter;
  }

  /** The problem document; {@code instance} identifies this occurrence (the request's path). */
  public Problem toProblem(String instance) {
    return new Problem(
        type.uri(), type.title(), type.status(), getMessage(), instance, field, errors, decisionId);
  }
}
