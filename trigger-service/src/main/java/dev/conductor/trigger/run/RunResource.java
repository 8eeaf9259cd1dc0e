package dev.conductor.trigger.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conductor.events.EventCodec;
import dev.conductor.events.KafkaEvents;
import dev.conductor.platform.auth.Access;
import dev.conductor.platform.auth.Caller;
import dev.conductor.platform.auth.CurrentCaller;
import dev.conductor.platform.problem.ProblemException;
import dev.conductor.platform.trace.TraceContext;
import dev.conductor.trigger.Settings;
import dev.conductor.trigger.pipeline.Pipelines;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/** Starts runs of a pipeline on request ({@code trigger = manual}). */
@Path("/api/v1/workspaces/{ws}/pipelines/{p}/runs")
@Produces(MediaType.APPLICATION_JSON)
public class RunResource {
  /** Half an event's size limit: a run's events carry its parameters beside their own fields. */
  public static final int MAX_PARAMETERS_BYTES = KafkaEvents.MAX_VALUE_BYTES / 2;

  public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

  private final CurrentCaller current;
  private final Access access;
  private final RunStarter starter;
  private final String runsBase;

  public RunResource(CurrentCaller current, Access access, RunStarter starter, Settings settings) {
    this.current = current;
    this.access = access;
    this.starter = starter;
    // Runs are tracked by the scheduler: Location points there when its address is configured.
    this.runsBase =
        settings.schedulerUrl().map(u -> u.replaceAll("/+$", "")).orElse("") + "/api/v1/runs/";
  }

  /**
   * Body {@code {environment, parameters}}, optional {@code Idempotency-Key} header: 201 {@code
   * {runId}} for a new run, 200 with the same run id when the key was used before. {@code Location}
   * names the run's status at the scheduler.
   */
  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  public Uni<Response> start(
      @PathParam("ws") String ws,
      @PathParam("p") String p,
      @HeaderParam(IDEMPOTENCY_KEY) String idempotencyKey,
      JsonNode body) {
    Caller caller = current.get();
    String traceparent = TraceContext.current();
    return access
        .require(caller, "pipeline.run", Pipelines.scope(ws, p))
        .map(allowed -> request(ws, p, idempotencyKey, body))
        .chain(
            request ->
                starter.start(
                    new RunRequests.Request(
                        request, caller, RunRequests.Origin.manual(traceparent))))
        .map(
            started ->
                Response.status(started.created() ? 201 : 200)
                    .header(HttpHeaders.LOCATION, runsBase + started.runId())
                    .entity(Map.of("runId", started.runId()))
                    .build());
  }

  private static RunRequests.StartRun request(
      String ws, String p, String idempotencyKey, JsonNode body) {
    if (idempotencyKey != null
        && (idempotencyKey.isBlank() || idempotencyKey.length() > RunRequests.MAX_KEY_LENGTH)) {
      throw ProblemException.badRequest(
          IDEMPOTENCY_KEY, "must have 1 to " + RunRequests.MAX_KEY_LENGTH + " characters");
    }
    if (body != null && !body.isNull() && !body.isObject()) {
      throw ProblemException.badRequest("/", "the body must be a JSON object");
    }
    JsonNode parameters = body == null ? null : body.get("parameters");
    if (parameters != null && EventCodec.toJsonBytes(parameters).length > MAX_PARAMETERS_BYTES) {
      // The run's events carry its parameters; past this they could not be published.
      throw ProblemException.tooLarge(
          "/parameters", "parameters may take at most " + MAX_PARAMETERS_BYTES + " bytes as JSON");
    }
    JsonNode environment = body == null ? null : body.get("environment");
    if (environment != null && !environment.isNull() && !environment.isTextual()) {
      throw ProblemException.badRequest("/environment", "must be a string");
    }
    return new RunRequests.StartRun(
        ws,
        p,
        environment == null || environment.isNull() ? null : environment.asText(),
        parameters,
        idempotencyKey);
  }
}
