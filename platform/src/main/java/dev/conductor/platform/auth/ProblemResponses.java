package dev.conductor.platform.auth;

import dev.conductor.platform.problem.ProblemException;
import dev.conductor.platform.problem.ProblemMappers;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

/** Builds problem responses for filters, which answer before any exception mapper runs. */
@ApplicationScoped
public class ProblemResponses {
  private final ProblemMappers mappers = new ProblemMappers();

  public Response of(ProblemException e) {
    return mappers.problem(e);
  }
}
