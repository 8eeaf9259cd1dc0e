package dev.conductor.platform.auth;

import dev.conductor.platform.problem.ProblemException;
import jakarta.enterprise.context.RequestScoped;

/** The verified caller of the current REST request, set by {@link BearerFilter}. */
@RequestScoped
public class CurrentCaller {
  private Caller caller;

  void set(Caller caller) {
    this.caller = caller;
  }

  public Caller get() {
    if (caller == null) {
      throw ProblemException.unauthorized("a bearer token is required");
    }
    return caller;
  }
}
