package dev.conductor.trigger.run;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.conductor.events.Envelope;
import dev.conductor.events.EventCodec;
import dev.conductor.events.EventType;
import dev.conductor.events.data.RunRequested;
import dev.conductor.platform.auth.Caller;
import dev.conductor.platform.db.Json;
import dev.conductor.platform.db.outbox.Outbox;
import dev.conductor.platform.problem.FieldErrors;
import dev.conductor.platform.problem.ProblemException;
import dev.conductor.trigger.pipeline.ParameterSchemas;
import dev.conductor.trigger.pipeline.PipelineValidator;
import dev.conductor.trigger.pipeline.Pipelines;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowIterator;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Turns a validated request into a run: one transaction holds the idempotency key, the request row
 * and the {@code run.requested} event, so a retried request (same key) answers the first run and
 * emits nothing. Shared by the REST endpoint and the Kafka trigger consumer.
 */
@ApplicationScoped
public class RunRequests {
  public static final String SOURCE = Envelope.sourceOf("trigger-service");
  public static final int MAX_KEY_LENGTH = 255;

  private static final String CLAIM_KEY =
      """
      INSERT INTO idempotency_keys (workspace, requester_issuer, requester_subject, idem_key,
      pipeline, run_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING
      """;
  private static final String EXISTING_KEY =
      """
      SELECT pipeline, run_id FROM idempotency_keys
       WHERE workspace = $1 AND requester_issuer = $2 AND requester_subject = $3 AND idem_key = $4
      """;
  private static final String INSERT_REQUEST =
      """
      INSERT INTO run_requests (run_id, workspace, pipeline, pipeline_version, environment,
      parameters, requester_issuer, requester_subject, trigger, idempotency_key,
      cause_event_id, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
      $12)
      """;
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  /** What is asked for. {@code parameters} may be null (no parameters). */
  public record StartRun(
      String workspace,
      String pipeline,
      String environment,
      JsonNode parameters,
      String idempotencyKey) {}

  /**
   * Where the request came from: {@code trigger} ({@code manual} or {@code kafka}), the event that
   * caused it (Kafka) and the trace to continue.
   */
  public record Origin(String trigger, String causationId, String traceparent) {
    public static Origin manual(String traceparent) {
      return new Origin("manual", null, traceparent);
    }

    public static Origin kafka(String triggerEventId, String traceparent) {
      return new Origin("kafka", triggerEventId, traceparent);
    }
  }

  /** The run; {@code created} is false when an earlier request with the same key made it. */
  public record Started(String runId, boolean created) {}

  private final Pipelines pipelines;
  private final PipelineValidator validator;
  private final ParameterSchemas schemas;
  private final Outbox outbox;
  private final Clock clock;

  public RunRequests(
      Pipelines pipelines,
      PipelineValidator validator,
      ParameterSchemas schemas,
      Outbox outbox,
      Clock clock) {
    this.pipelines = pipelines;
    this.validator = validator;
    this.schemas = schemas;
    this.outbox = outbox;
    this.clock = clock;
  }

  /**
   * Validates the request against the latest pipeline version and starts a run, inside {@code tx}.
   * The caller has already been allowed {@code pipeline.run} on the pipeline.
   *
   * @throws ProblemException 404 for an unknown pipeline, 400 naming each field at fault, 409 when
   *     the idempotency key already names a run of another pipeline
   */
  public Uni<Started> start(SqlConnection tx, StartRun request, Caller caller, Origin origin) {
    return start(tx, request, caller, origin, new HashMap<>());
  }

  /** A request to start a run, with who asks and where it came from. */
  public record Request(StartRun run, Caller caller, Origin origin) {}

  /** What became of one of several requests: its run, or the problem that refused it. */
  public record Outcome(Started started, ProblemException refused) {}

  /**
   * Several requests in one transaction, in order, as {@link #start} would take each: the pipelines
   * they name are read once, and the transaction's events are written in one statement. A request
   * refused with a problem (400, 404, 409) has written nothing before it is refused, so the others
   * go on; any other failure (the database's) fails them all.
   */
  public Uni<List<Outcome>> startAll(SqlConnection tx, List<Request> requests) {
    Map<String, Optional<Pipelines.Stored>> read = new HashMap<>();
    List<Outcome> outcomes = new ArrayList<>(requests.size());
    Uni<Void> chain = Uni.createFrom().voidItem();
    for (Request r : requests) {
      chain =
          chain.chain(
              () ->
                  Uni.createFrom()
                      .deferred(() -> start(tx, r.run(), r.caller(), r.origin(), read))
                      .map(started -> new Outcome(started, null))
                      .onFailure(ProblemException.class)
                      .recoverWithItem(e -> new Outcome(null, (ProblemException) e))
                      .invoke(outcomes::add)
                      .replaceWithVoid());
    }
    return chain.replaceWith(outcomes);
  }

  /** As {@link #start}; {@code read} holds the latest versions read so far in {@code tx}. */
  private Uni<Started> start(
      SqlConnection tx,
      StartRun request,
      Caller caller,
      Origin origin,
      Map<String, Optional<Pipelines.Stored>> read) {
    String key = Pipelines.key(request.workspace(), request.pipeline());
    Uni<Optional<Pipelines.Stored>> latest =
        read.containsKey(key)
            ? Uni.createFrom().item(read.get(key))
            : pipelines
                .latest(tx, request.workspace(), request.pipeline())
                .invoke(found -> read.put(key, found));
    return latest.chain(
        found -> {
          Pipelines.Stored pipeline =
              found.orElseThrow(
                  () ->
                      ProblemException.notFound(
                          "pipeline " + request.workspace() + "/" + request.pipeline()));
          return validated(pipeline, request)
              .chain(
                  parameters -> {
                    String runId = UUID.randomUUID().toString();
                    return claimKey(tx, request, caller, runId)
                        .chain(
                            existing ->
                                existing != null
                                    ? Uni.createFrom().item(new Started(existing, false))
                                    : insert(
                                            tx,
                                            pipeline,
                                            request,
                                            parameters,
                                            caller,
                                            origin,
                                            runId)
                                        .replaceWith(new Started(runId, true)));
                  });
        });
  }

  /**
   * The request's parameters, once valid. Against a schema with patterns they are validated on a
   * worker thread, and the chain then comes back to the transaction's event loop: a linear-time
   * match still costs in proportion to the input, and half a megabyte of parameters must not hold
   * the loop that serves every other request.
   */
  private Uni<JsonNode> validated(Pipelines.Stored pipeline, StartRun request) {
    JsonNode schema = pipeline.definition().parameters();
    if (schema == null || !schemas.runsPatterns(schemaKey(pipeline), schema)) {
      return Uni.createFrom().item(() -> validate(pipeline, request));
    }
    Context loop = Vertx.currentContext();
    Uni<JsonNode> off =
        Uni.createFrom()
            .item(() -> validate(pipeline, request))
            .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    return loop == null ? off : off.emitOn(command -> loop.runOnContext(ignored -> command.run()));
  }

  private static String schemaKey(Pipelines.Stored pipeline) {
    return Pipelines.key(pipeline.workspace(), pipeline.pipeline()) + "@" + pipeline.version();
  }

  private JsonNode validate(Pipelines.Stored pipeline, StartRun request) {
    FieldErrors errors = new FieldErrors();
    String env = request.environment();
    if (env == null || env.isBlank()) {
      errors.add("/environment", "is required");
    } else if (!pipeline.definition().environments().contains(env)) {
      errors.add(
          "/environment",
          "pipeline "
              + pipeline.pipeline()
              + " may run in "
              + pipeline.definition().environments()
              + ", not '"
              + env
              + "'");
    } else if (!validator.environments().contains(env)) {
      errors.add("/environment", "environment '" + env + "' is not configured here");
    }
    String key = request.idempotencyKey();
    if (key != null && (key.isBlank() || key.length() > MAX_KEY_LENGTH)) {
      errors.add("/idempotencyKey", "must have 1 to " + MAX_KEY_LENGTH + " characters");
    }
    JsonNode parameters = request.parameters();
    if (parameters == null || parameters.isNull() || parameters.isMissingNode()) {
      parameters = JsonNodeFactory.instance.objectNode();
    }
    if (!parameters.isObject()) {
      errors.add("/parameters", "must be an object");
    } else {
      errors.addAll(
          schemas.violations(
              schemaKey(pipeline), pipeline.definition().parameters(), parameters, "/parameters"));
    }
    errors.throwIfAny();
    return parameters;
  }

  /**
   * The run the caller's key already names (null when the key is new, or none was given). Keys are
   * the caller's own: the same key from another principal is another key.
   */
  private Uni<String> claimKey(SqlConnection tx, StartRun request, Caller caller, String runId) {
    if (request.idempotencyKey() == null) {
      return Uni.createFrom().nullItem();
    }
    return tx.preparedQuery(CLAIM_KEY)
        .execute(
            Tuple.tuple()
                .addValue(request.workspace())
                .addValue(caller.issuer())
                .addValue(caller.subject())
                .addValue(request.idempotencyKey())
                .addValue(request.pipeline())
                .addValue(UUID.fromString(runId))
                .addValue(now()))
        .chain(
            claimed -> {
              if (claimed.rowCount() == 1) {
                return Uni.createFrom().nullItem();
              }
              // A concurrent holder of the key has committed by now (the insert waited for it).
              return tx.preparedQuery(EXISTING_KEY)
                  .execute(
                      Tuple.of(
                          request.workspace(),
                          caller.issuer(),
                          caller.subject(),
                          request.idempotencyKey()))
                  .map(
                      rows -> {
                        RowIterator<Row> it = rows.iterator();
                        Row row = it.next();
                        if (!row.getString(0).equals(request.pipeline())) {
                          throw ProblemException.conflict(
                              "idempotency key already names a run of pipeline "
                                  + row.getString(0));
                        }
                        return row.getUUID(1).toString();
                      });
            });
  }

  private Uni<Void> insert(
      SqlConnection tx,
      Pipelines.Stored pipeline,
      StartRun request,
      JsonNode parameters,
      Caller caller,
      Origin origin,
      String runId) {
    Map<String, Object> params = EventCodec.JSON.convertValue(parameters, MAP);
    RunRequested data =
        new RunRequested(
            runId,
            pipeline.workspace(),
            pipeline.pipeline(),
            pipeline
                .definition()
                .snapshot(pipeline.workspace(), pipeline.pipeline(), pipeline.version()),
            params,
            request.environment(),
            caller.requester(),
            origin.trigger(),
            request.idempotencyKey());
    Envelope<RunRequested> event =
        origin.causationId() == null
            ? Envelope.of(EventType.RUN_REQUESTED, SOURCE, runId, data, clock)
            : Envelope.causedBy(
                origin.causationId(), EventType.RUN_REQUESTED, SOURCE, runId, data, clock);
    return tx.preparedQuery(INSERT_REQUEST)
        .execute(
            Tuple.tuple()
                .addValue(UUID.fromString(runId))
                .addValue(pipeline.workspace())
                .addValue(pipeline.pipeline())
                .addValue(pipeline.version())
                .addValue(request.environment())
                .addValue(Json.jsonb(parameters))
                .addValue(caller.issuer())
                .addValue(caller.subject())
                .addValue(origin.trigger())
                .addValue(request.idempotencyKey())
                .addValue(origin.causationId())
                .addValue(now()))
        .chain(
            () -> outbox.append(tx, event, EventType.RUN_REQUESTED.topic(), origin.traceparent()));
  }

  private OffsetDateTime now() {
    return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
  }
}
