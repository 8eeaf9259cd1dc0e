package dev.conductor.trigger.pipeline;

import dev.conductor.platform.problem.Problem.FieldError;
import dev.conductor.platform.problem.ProblemException;
import java.util.ArrayList;
import java.util.List;

/** Collects every violation of a request, so one 400 answer names them all. */
public final class FieldErrors {
  private final List<FieldError> errors = new ArrayList<>();

  public void add(String field, String message) {
    errors.add(new FieldError(field, message));
  }

  public void addAll(List<FieldError> more) {
    errors.addAll(more);
  }

  public boolean isEmpty() {
    return errors.isEmpty();
  }

  /** Throws a 400 problem naming every field at fault, if there is one. */
  public void throwIfAny() {
    if (!errors.isEmpty()) {
      throw ProblemException.invalid(errors);
    }
  }

  /** A JSON pointer reference token for {@code name} (RFC 6901 escaping). */
  public static String token(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }
}
