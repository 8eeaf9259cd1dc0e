package dev.conductor.broker.policyconfig;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conductor.platform.problem.Problem;
import dev.conductor.platform.problem.ProblemException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Collects every violation of a document, so one 400 names them all (each a JSON pointer into the
 * body), instead of making the caller fix them one round trip at a time.
 */
final class FieldErrors {
  private final List<Problem.FieldError> errors = new ArrayList<>();

  void add(String field, String message) {
    errors.add(new Problem.FieldError(field, message));
  }

  int count() {
    return errors.size();
  }

  void throwIfAny() {
    if (!errors.isEmpty()) {
      throw ProblemException.invalid(errors);
    }
  }

  /** 403 naming every field at fault: the caller may not make the change it asked for. */
  void throwForbiddenIfAny() {
    if (!errors.isEmpty()) {
      String detail =
          errors.stream()
              .map(e -> e.field() + ": " + e.message())
              .reduce((a, b) -> a + "; " + b)
              .orElseThrow();
      throw new ProblemException(403, "Forbidden", detail, errors.get(0).field(), errors);
    }
  }

  /** {@code parent} + one RFC 6901 reference token ({@code ~} and {@code /} escaped). */
  static String at(String parent, Object token) {
    return parent + "/" + token.toString().replace("~", "~0").replace("/", "~1");
  }

  /** Reports each field of {@code object} that is not one of {@code known}. */
  void unknownFields(JsonNode object, String at, List<String> known) {
    for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!known.contains(field)) {
        add(at(at, field), "unknown field; expected one of " + String.join(", ", known));
      }
    }
  }

  /**
   * The non-blank string at {@code field} of {@code object}; null (and no error) when absent or
   * JSON null, null with an error when it is something else.
   */
  String optionalText(JsonNode object, String field, String at) {
    JsonNode value = object.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual() || value.asText().isBlank()) {
      add(at(at, field), field + " must be a non-blank string");
      return null;
    }
    return value.asText();
  }
}
