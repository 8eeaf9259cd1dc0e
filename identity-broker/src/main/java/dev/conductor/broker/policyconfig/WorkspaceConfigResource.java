package dev.conductor.broker.policyconfig;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conductor.broker.policy.Scope;
import dev.conductor.platform.auth.Access;
import dev.conductor.platform.auth.Caller;
import dev.conductor.platform.auth.CurrentCaller;
import dev.conductor.platform.config.ConfigDiff;
import dev.conductor.platform.config.DryRun;
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
 * {@code GET|PUT /api/v1/workspaces/{ws}/config/{section}[?dryRun=true]}: the broker's workspace
 * sections ({@code assignments}, {@code identities}); {@code config.read} / {@code config.write} at
 * {@code /workspaces/{ws}}.
 */
@Path("/api/v1/workspaces/{ws}/config/{section}")
public class WorkspaceConfigResource {
  private final CurrentCaller current;
  private final Access access;
  private final ConfigSections sections;
  private final SectionWriter writer;

  public WorkspaceConfigResource(
      CurrentCaller current, Access access, ConfigSections sections, SectionWriter writer) {
    this.current = current;
    this.access = access;
    this.sections = sections;
    this.writer = writer;
  }

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public Uni<JsonNode> get(@PathParam("ws") String ws, @PathParam("section") String section) {
    return access
        .require(current.get(), "config.read", scope(ws))
        .chain(() -> writer.get(sections.workspace(section), ws));
  }

  @PUT
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  public Uni<ConfigDiff> put(
      @PathParam("ws") String ws,
      @PathParam("section") String section,
      @Context UriInfo uri,
      JsonNode body) {
    Caller caller = current.get();
    String traceparent = TraceContext.current();
    return access
        .require(caller, "config.write", scope(ws))
        .chain(
            () ->
                writer.put(
                    sections.workspace(section), ws, body, DryRun.of(uri), caller, traceparent));
  }

  private static String scope(String ws) {
    try {
      return Scope.of("workspaces", ws).toString();
    } catch (IllegalArgumentException e) {
      throw ProblemException.badRequest("ws", e.getMessage());
    }
  }
}
