package dev.conductor.platform.problem;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * An RFC 9457 problem document. {@code type} is one of the catalogue's ({@link ProblemType});
 * {@code instance} the request it answers; {@code field} names the request field at fault (a JSON
 * pointer such as {@code /parameters/date}, a header or a path parameter) and {@code errors} lists
 * every violation when there are several; {@code decisionId} names the access decision behind a
 * denial.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(
    String type,
    String title,
    int status,
    String detail,
    String instance,
    String field,
    List<FieldError> errors,
    String decisionId) {
  public static final String MEDIA_TYPE = "application/problem+json";

  /** One violation of one field. */
  public record FieldError(String field, String message) {}
}
