package dev.conductor.trigger.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conductor.events.EventCodec;
import dev.conductor.platform.auth.Access;
import dev.conductor.platform.auth.Caller;
import dev.conductor.platform.auth.CurrentCaller;
import dev.conductor.platform.db.Transactions;
import dev.conductor.platform.problem.ProblemException;
import dev.conductor.platform.trace.TraceContext;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/** Pipeline definitions: {@code PUT} stores a new version when the definition changed. */
@Path("/api/v1/workspaces/{ws}/pipelines/{p}")
@Produces(MediaType.APPLICATION_JSON)
public class PipelineResource {
  private final CurrentCaller current;
  private final Access access;
  private final PipelineValidator validator;
  private final Pipelines pipelines;
  private final Transactions transactions;

  public PipelineResource(
      CurrentCaller current,
      Access access,
      PipelineValidator validator,
      Pipelines pipelines,
      Transactions transactions) {
    this.current = current;
    this.access = access;
    this.validator = validator;
    this.pipelines = pipelines;
    this.transactions = transactions;
  }

  /**
   * Creates (201) or updates (200) a pipeline; answers {@code {workspace, pipeline, version,
   * changed}}. An identical definition keeps its version and emits nothing. A stored version bumps
   * the workspace's {@code pipelines} section revision, as a section PUT does.
   */
  @PUT
  @Consumes(MediaType.APPLICATION_JSON)
  public Uni<Response> put(@PathParam("ws") String ws, @PathParam("p") String p, JsonNode body) {
    Caller caller = current.get();
    String traceparent = TraceContext.current();
    return access
        .require(caller, "pipeline.write", Pipelines.scope(ws, p))
        .map(allowed -> validator.validate(ws, p, body))
        .chain(
            definition ->
                transactions.run(
                    tx -> pipelines.put(tx, ws, p, definition, caller.subject(), traceparent)))
        .map(
            saved -> {
              Map<String, Object> answer = new LinkedHashMap<>();
              answer.put("workspace", ws);
              answer.put("pipeline", p);
              answer.put("version", saved.version());
              answer.put("changed", saved.changed());
              Response.ResponseBuilder response =
                  saved.created() ? Response.created(location(ws, p)) : Response.ok();
              return response.entity(answer).build();
            });
  }

  /** The latest definition with its version. */
  @GET
  public Uni<JsonNode> get(@PathParam("ws") String ws, @PathParam("p") String p) {
    Caller caller = current.get();
    return access
        .require(caller, "pipeline.read", Pipelines.scope(ws, p))
        .chain(allowed -> pipelines.latest(transactions.pool(), ws, p))
        .map(
            found -> {
              Pipelines.Stored stored =
                  found.orElseThrow(() -> ProblemException.notFound("pipeline " + ws + "/" + p));
              ObjectNode answer = EventCodec.JSON.createObjectNode();
              answer.put("workspace", ws);
              answer.put("pipeline", p);
              answer.put("version", stored.version());
              answer.setAll((ObjectNode) stored.definition().toJson());
              answer.put("updatedAt", stored.updatedAt().toString());
              answer.put("updatedBy", stored.updatedBy());
              return answer;
            });
  }

  private static URI location(String ws, String p) {
    return URI.create("/api/v1/workspaces/" + ws + "/pipelines/" + p);
  }
}
