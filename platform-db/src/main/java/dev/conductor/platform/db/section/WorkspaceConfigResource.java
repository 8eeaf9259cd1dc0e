package dev.conductor.platform.db.section;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conductor.platform.auth.Access;
import dev.conductor.platform.auth.Caller;
import dev.conductor.platform.auth.CurrentCaller;
import dev.conductor.platform.config.ConfigDiff;
import dev.conductor.platform.config.DryRun;
import dev.conductor.platform.config.SectionScope;
import dev.conductor.platform.problem.ProblemException;
import dev.conductor.platform.trace.TraceContext;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

/**
 * {@code GET|PUT /api/v1/workspaces/{ws}/config/{section}[?dryRun=true]}: the workspace sections
 * this service owns (a workspace document's sections are spread over the services that enforce
 * them); {@code config.read} / {@code config.write} at {@code /workspaces/{ws}}.
 */
@Path("/api/v1/workspaces/{ws}/config/{section}")
@Produces(MediaType.APPLICATION_JSON)
public class WorkspaceConfigResource {
  private final CurrentCaller current;
  private final Access access;
  private final SectionRegistry sections;
  private final SectionUpdates updates;

  public WorkspaceConfigResource(
      CurrentCaller current, Access access, SectionRegistry sections, SectionUpdates updates) {
    this.current = current;
    this.access = access;
    this.sections = sections;
    this.updates = updates;
  }

  @GET
  public Uni<JsonNode> get(@PathParam("ws") String ws, @PathParam("section") String section) {
    return access
        .require(current.get(), "config.read", scope(ws))
        .chain(() -> updates.document(sections.require(SectionScope.WORKSPACE, section), ws));
  }

  @PUT
  @Consumes(MediaType.APPLICATION_JSON)
  public Uni<ConfigDiff> put(
      @PathParam("ws") String ws,
      @PathParam("section") String section,
      @Context UriInfo uri,
      JsonNode document) {
    Caller caller = current.get();
    boolean dryRun = DryRun.of(uri);
    String traceparent = TraceContext.current();
    return access
        .require(caller, "config.write", scope(ws))
        .chain(
            () ->
                updates.put(
                    sections.require(SectionScope.WORKSPACE, section),
                    ws,
                    document,
                    dryRun,
                    caller,
                    traceparent));
  }

  private static String scope(String ws) {
    if (!SectionScope.WORKSPACE_NAME.matcher(ws).matches()) {
      throw ProblemException.badRequest(
          "ws", "a workspace name must match " + SectionScope.WORKSPACE_NAME.pattern());
    }
    return SectionScope.WORKSPACE.accessScope(ws);
  }
}
