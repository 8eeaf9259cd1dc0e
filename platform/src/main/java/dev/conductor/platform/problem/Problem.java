package dev.conductor.platform.problem;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * An RFC 9457 problem document. {@code field} names the request field at fault (a JSON pointer such
 * as {@code /parameters/date}, a header or a path parameter); {@code errors} lists every violation
 * when there are several.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(
    String type, String title, int status, String detail, String field, List<FieldError> errors) {
  public static final String MEDIA_TYPE = "application/problem+json";

  /** One violation of one field. */
  public record FieldError(String field, String message) {}
}
