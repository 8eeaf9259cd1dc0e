package dev.conductor.broker.policyconfig;

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
 * {@code GET|PUT /api/v1/config/{section}[?dryRun=true]}: the broker's global sections ({@code
 * roles}); {@code config.read} / {@code config.write} at {@code /}.
 */
@Path("/api/v1/config/{section}")
public class GlobalConfigResource {
  private final CurrentCaller current;
  private final Access access;
  private final ConfigSections sections;
  private final SectionWriter writer;

  public GlobalConfigResource(
      CurrentCaller current, Access access, ConfigSections sections, SectionWriter writer) {
    this.current = current;
    this.access = access;
    this.sections = sections;
    this.writer = writer;
  }

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public Uni<JsonNode> get(@PathParam("section") String section) {
    return access
        .require(current.get(), "config.read", "/")
        .chain(() -> writer.get(sections.global(section), null));
  }

  @PUT
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  public Uni<ConfigDiff> put(
      @PathParam("section") String section, @Context UriInfo uri, JsonNode body) {
    Caller caller = current.get();
    String traceparent = TraceContext.current();
    return access
        .require(caller, "config.write", "/")
        .chain(
            () ->
                writer.put(
                    sections.global(section), null, body, DryRun.of(uri), caller, traceparent));
  }
}
