package dev.conductor.broker.decision;

import dev.conductor.platform.auth.Access;
import dev.conductor.platform.auth.CurrentCaller;
import dev.conductor.platform.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /api/v1/decisions/{id}}: a stored decision, for auditors ({@code audit.read} at /).
 */
@Path("/api/v1/decisions")
public class DecisionResource {
  private final CurrentCaller current;
  private final Access access;
  private final Decisions decisions;

  public DecisionResource(CurrentCaller current, Access access, Decisions decisions) {
    this.current = current;
    this.access = access;
    this.decisions = decisions;
  }

  @GET
  @Path("{id}")
  @Produces(MediaType.APPLICATION_JSON)
  public Uni<Decision> get(@PathParam("id") String id) {
    return access
        .require(current.get(), "audit.read", "/")
        .chain(() -> decisions.find(id))
        .map(found -> found.orElseThrow(() -> ProblemException.notFound("decision " + id)));
  }
}
