package dev.conductor.platform.db.section;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conductor.platform.auth.Access;
import dev.conductor.platform.auth.Caller;
import dev.conductor.platform.auth.CurrentCaller;
import dev.conductor.platform.config.ConfigDiff;
import dev.conductor.platform.config.DryRun;
import dev.conductor.platform.config.SectionScope;
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
 * {@code GET|PUT /api/v1/config/{section}[?dryRun=true]}: this service's global sections, each read
 * and replaced as a whole document (GET answers what PUT accepts); {@code config.read} / {@code
 * config.write} at {@code /}.
 */
@Path("/api/v1/config/{section}")
@Produces(MediaType.APPLICATION_JSON)
public class GlobalConfigResource {
  private final CurrentCaller current;
  private final Access access;
  private final SectionRegistry sections;
  private final SectionUpdates updates;

  public GlobalConfigResource(
      CurrentCaller current, Access access, SectionRegistry sections, SectionUpdates updates) {
    this.current = current;
    this.access = access;
    this.sections = sections;
    this.updates = updates;
  }

  @GET
  public Uni<JsonNode> get(@PathParam("section") String section) {
    return access
        .require(current.get(), "config.read", SectionScope.GLOBAL.accessScope(null))
        .chain(() -> updates.document(sections.require(SectionScope.GLOBAL, section), null));
  }

  /** Replaces the section; {@code dryRun} only validates and answers the diff. */
  @PUT
  @Consumes(MediaType.APPLICATION_JSON)
  public Uni<ConfigDiff> put(
      @PathParam("section") String section, @Context UriInfo uri, JsonNode document) {
    Caller caller = current.get();
    boolean dryRun = DryRun.of(uri);
    // Taken on the request's own context: later stages may run where no span is current.
    String traceparent = TraceContext.current();
    return access
        .require(caller, "config.write", SectionScope.GLOBAL.accessScope(null))
        .chain(
            () ->
                updates.put(
                    sections.require(SectionScope.GLOBAL, section),
                    null,
                    document,
                    dryRun,
                    caller,
                    traceparent));
  }
}
