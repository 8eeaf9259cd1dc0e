package dev.conductor.platform.problem;

import java.util.Arrays;
import java.util.Optional;

/**
 * The catalogue of every kind of problem Conductor's REST APIs answer (RFC 9457): each has a stable
 * {@code type} URI ({@link #BASE} + {@link #slug}), a title, and the HTTP status the REST edge
 * ({@link ProblemMappers}) answers it with. Domain code names a kind and never a status; clients
 * branch on {@code type}. {@code ./conductor} prints the slug and title beside the detail.
 */
public enum ProblemType {
  /** A field breaks a rule; {@code errors} lists each field (a JSON pointer) with its message. */
  VALIDATION("validation", 400, "Invalid request"),
  /** No token, or one that is expired, forged or from an unknown issuer. */
  UNAUTHENTICATED("unauthenticated", 401, "Unauthenticated"),
  /**
   * The caller may not do this: an access decision denied it ({@code decisionId} names it), or the
   * change would grant what the caller does not hold ({@code errors} names the fields).
   */
  DENIED("denied", 403, "Denied"),
  /** The resource the path names does not exist. */
  NOT_FOUND("not-found", 404, "Not found"),
  /** The path exists but not with this method. */
  METHOD_NOT_ALLOWED("method-not-allowed", 405, "Method not allowed"),
  /** The client accepts no media type the resource answers in. */
  NOT_ACCEPTABLE("not-acceptable", 406, "Not acceptable"),
  /** The state does not allow the request now (a role still assigned, a key naming another run). */
  CONFLICT("conflict", 409, "Conflict"),
  /** A claim for an attempt that is no longer this executor's to claim (ended, re-dispatched). */
  NOT_CLAIMABLE("not-claimable", 409, "Not claimable"),
  /** A claim the pool has no free slot for: the attempt goes back to the queue. */
  NO_CAPACITY("no-capacity", 409, "No capacity"),
  /**
   * The request body is over the service's limit ({@code quarkus.http.limits.max-body-size}); it
   * was not read.
   */
  CONTENT_TOO_LARGE("content-too-large", 413, "Content too large"),
  /** The body's media type is not one the resource reads. */
  UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", 415, "Unsupported media type"),
  /** What the request would store or emit is over a size limit; nothing was stored or sent. */
  TOO_LARGE("too-large", 422, "Too large"),
  /** Too many requests of this caller; {@code Retry-After} says when to try again. */
  QUOTA("quota", 429, "Quota exceeded"),
  /** A failure of the service itself; the log has the details, the answer has none. */
  INTERNAL("internal", 500, "Internal error"),
  /**
   * A dependency (the database, Kafka, the identity broker) cannot be reached; {@code Retry-After}
   * says when to try again. Nothing was decided: never read as an allow or a deny.
   */
  UNAVAILABLE("unavailable", 503, "Service unavailable");

  /** Where the problem types live; each {@code type} is this + a slug. */
  public static final String BASE = "https://conductor.dev/problems/";

  private final String slug;
  private final int status;
  private final String title;

  ProblemType(String slug, int status, String title) {
    this.slug = slug;
    this.status = status;
    this.title = title;
  }

  public String slug() {
    return slug;
  }

  /** The HTTP status the REST edge answers; only {@link ProblemMappers} should need it. */
  public int status() {
    return status;
  }

  public String title() {
    return title;
  }

  /** The {@code type} URI of the problem document. */
  public String uri() {
    return BASE + slug;
  }

  /** A failure of infrastructure rather than a verdict on the request: worth retrying. */
  public boolean isTransient() {
    return this == UNAVAILABLE || this == INTERNAL;
  }

  public static Optional<ProblemType> ofSlug(String slug) {
    return Arrays.stream(values()).filter(t -> t.slug.equals(slug)).findFirst();
  }

  /** The kind a problem document's {@code type} names, for clients of Conductor's own APIs. */
  public static Optional<ProblemType> ofUri(String type) {
    return type != null && type.startsWith(BASE)
        ? ofSlug(type.substring(BASE.length()))
        : Optional.empty();
  }

  /**
   * The kind of an HTTP status the framework answered itself (no route, wrong method, a body over
   * the limit, …): the first kind declared with that status, so the general kind wins over a
   * specific one (409: conflict). The framework answers only statuses listed here; any other would
   * be read as a bad request (4xx) or an internal error (5xx).
   */
  public static ProblemType ofStatus(int status) {
    return Arrays.stream(values())
        .filter(t -> t.status == status)
        .findFirst()
        .orElse(status >= 500 ? INTERNAL : VALIDATION);
  }
}
