package dev.conductor.trigger.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conductor.platform.auth.Access;
import dev.conductor.platform.auth.Caller;
import dev.conductor.platform.auth.CurrentCaller;
import dev.conductor.platform.config.ConfigDiff;
import dev.conductor.platform.config.DryRun;
import dev.conductor.platform.problem.ProblemException;
import dev.conductor.platform.trace.TraceContext;
import io.quarkus.arc.All;
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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The workspace configuration sections this service owns (DESIGN §7): {@code PUT} replaces a
 * section with a whole document and answers the diff ({@code ?dryRun=true}: the diff only), {@code
 * GET} answers the document in force. {@code config.write} / {@code config.read} at {@code
 * /workspaces/{ws}}.
 */
@Path("/api/v1/workspaces/{ws}/config/{section}")
@Produces(MediaType.APPLICATION_JSON)
public class WorkspaceConfigResource {
  private final CurrentCaller current;
  private final Access access;
  private final Map<String, WorkspaceSection> sections = new TreeMap<>();

  public WorkspaceConfigResource(
      CurrentCaller current, Access access, @All List<WorkspaceSection> sections) {
    this.current = current;
    this.access = access;
    sections.forEach(s -> this.sections.put(s.name(), s));
  }

  @PUT
  @Consumes(MediaType.APPLICATION_JSON)
  public Uni<ConfigDiff> put(
      @PathParam("ws") String ws,
      @PathParam("section") String section,
      @Context UriInfo uri,
      JsonNode body) {
    Caller caller = current.get();
    String traceparent = TraceContext.current();
    boolean dryRun = DryRun.of(uri);
    return access
        .require(caller, "config.write", scope(ws))
        .chain(allowed -> section(section).apply(ws, body, dryRun, caller.subject(), traceparent));
  }

  @GET
  public Uni<JsonNode> get(@PathParam("ws") String ws, @PathParam("section") String section) {
    return access
        .require(current.get(), "config.read", scope(ws))
        .chain(allowed -> section(section).read(ws));
  }

  private WorkspaceSection section(String name) {
    WorkspaceSection section = sections.get(name);
    if (section == null) {
      // Sections of one workspace document are spread over services: name the ones served here.
      throw new ProblemException(
          404,
          "Not found",
          "no workspace configuration section '"
              + name
              + "' in trigger-service; its sections: "
              + sections.keySet());
    }
    return section;
  }

  static String scope(String ws) {
    return "/workspaces/" + ws;
  }
}
