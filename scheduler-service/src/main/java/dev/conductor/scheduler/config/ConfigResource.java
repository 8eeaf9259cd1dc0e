package dev.conductor.scheduler.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conductor.platform.auth.Access;
import dev.conductor.platform.auth.Caller;
import dev.conductor.platform.auth.CurrentCaller;
import dev.conductor.platform.config.ConfigDiff;
import dev.conductor.platform.config.DryRun;
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
 * The scheduler's global configuration sections (DESIGN §7): {@code pools} and {@code
 * resourceClasses}, each read and replaced as a whole document; GET answers what PUT accepts.
 */
@Path("/api/v1/config/{section}")
@Produces(MediaType.APPLICATION_JSON)
public class ConfigResource {
  private static final String SCOPE = "/";

  private final Access access;
  private final CurrentCaller current;
  private final SectionUpdates updates;

  public ConfigResource(Access access, CurrentCaller current, SectionUpdates updates) {
    this.access = access;
    this.current = current;
    this.updates = updates;
  }

  @GET
  public Uni<JsonNode> read(@PathParam("section") String section) {
    Caller caller = current.get();
    return access.require(caller, "config.read", SCOPE).chain(allowed -> updates.document(section));
  }

  /** Replaces the section; {@code dryRun} only validates and answers the diff. */
  @PUT
  @Consumes(MediaType.APPLICATION_JSON)
  public Uni<ConfigDiff> replace(
      @PathParam("section") String section, @Context UriInfo uri, JsonNode document) {
    Caller caller = current.get();
    boolean dryRun = DryRun.of(uri);
    // Taken on the request's own context: later stages may run where no span is current.
    String traceparent = TraceContext.current();
    return access
        .require(caller, "config.write", SCOPE)
        .chain(allowed -> updates.put(section, document, dryRun, caller.subject(), traceparent));
  }
}
