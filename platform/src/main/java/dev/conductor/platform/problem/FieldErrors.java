package dev.conductor.platform.problem;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Collects every violation of a request or document, so one answer names them all (each a JSON
 * pointer into the body), instead of making the caller fix them one round trip at a time.
 */
public final class FieldErrors {
  private final List<Problem.FieldError> errors = new ArrayList<>();

  public void add(String field, String message) {
    errors.add(new Problem.FieldError(field, message));
  }

  public void addAll(List<Problem.FieldError> more) {
    errors.addAll(more);
  }

  public boolean isEmpty() {
    return errors.isEmpty();
  }

  public int count() {
    return errors.size();
  }

  /** Throws a 400 problem naming every field at fault, if there is one. */
  public void throwIfAny() {
    if (!errors.isEmpty()) {
      throw ProblemException.invalid(errors);
    }
  }

  /** 403 naming every field at fault: the caller may not make the change it asked for. */
  public void throwForbiddenIfAny() {
    if (!errors.isEmpty()) {
      String detail =
          errors.stream()
              .map(e -> e.field() + ": " + e.message())
              .reduce((a, b) -> a + "; " + b)
              .orElseThrow();
      throw new ProblemException(ProblemType.DENIED, detail, errors.get(0).field(), errors);
    }
  }

  /**
   * A JSON pointer reference token for {@code name} (RFC 6901: {@code ~} and {@code /} escaped).
   */
  public static String token(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }

  /** {@code parent} + one RFC 6901 reference token. */
  public static String at(String parent, Object token) {
    return parent + "/" + token(token.toString());
  }

  /** Reports each field of {@code object} that is not one of {@code known}. */
  public void unknownFields(JsonNode object, String at, List<String> known) {
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
  public String optionalText(JsonNode object, String field, String at) {
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
