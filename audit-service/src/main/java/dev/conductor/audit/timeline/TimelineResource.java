package dev.conductor.audit.timeline;

import dev.conductor.platform.auth.Access;
import dev.conductor.platform.auth.Caller;
import dev.conductor.platform.auth.CurrentCaller;
import dev.conductor.platform.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** A run's recorded events in causal order, for auditors of the run's workspace. */
@Path("/api/v1/runs/{runId}/timeline")
@Produces(MediaType.APPLICATION_JSON)
public class TimelineResource {
  @Inject CurrentCaller current;
  @Inject Access access;
  @Inject TimelineStore store;

  /**
   * audit.read at /workspaces/{ws}, ws from the run's recorded run.requested; 404 when the ledger
   * holds no run.requested for it (the scope cannot be known before that).
   */
  @GET
  public Uni<Timeline> timeline(@PathParam("runId") String runId) {
    Caller caller = current.get();
    return store
        .workspaceOf(runId)
        .onItem()
        .ifNull()
        .failWith(() -> ProblemException.notFound("run " + runId))
        .chain(ws -> access.require(caller, "audit.read", "/workspaces/" + ws))
        .chain(() -> store.recordsOf(runId))
        .map(records -> new Timeline(runId, CausalOrder.sort(records)));
  }
}
