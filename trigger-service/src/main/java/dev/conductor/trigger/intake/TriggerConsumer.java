package dev.conductor.trigger.intake;

import dev.conductor.events.EventCodec;
import dev.conductor.events.EventType;
import dev.conductor.events.KafkaEvents;
import dev.conductor.events.Schemas;
import dev.conductor.events.data.TriggerRequested;
import dev.conductor.platform.auth.Access;
import dev.conductor.platform.auth.Caller;
import dev.conductor.platform.auth.ServiceTokens;
import dev.conductor.platform.db.inbox.InboxConsumer;
import dev.conductor.platform.kafka.Consumed;
import dev.conductor.platform.kafka.Rejected;
import dev.conductor.platform.problem.ProblemException;
import dev.conductor.trigger.pipeline.Pipelines;
import dev.conductor.trigger.run.RunRequests;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes {@code conductor.triggers}: authenticates the upstream token, checks {@code
 * pipeline.run} and requests the run exactly like the REST endpoint; a redelivered trigger (same
 * source and id) is skipped by the inbox, a repeated idempotency key answers the first run without
 * a new event, and anything that cannot be accepted goes to the DLQ without its token.
 */
@ApplicationScoped
public class TriggerConsumer {
  private final InboxConsumer consumer;
  private final TriggerTokens tokens;
  private final Access access;
  private final RunRequests runs;

  private final ServiceTokens ownTokens;

  public TriggerConsumer(
      InboxConsumer consumer,
      TriggerTokens tokens,
      Access access,
      RunRequests runs,
      ServiceTokens ownTokens) {
    this.consumer = consumer;
    this.tokens = tokens;
    this.access = access;
    this.runs = runs;
    this.ownTokens = ownTokens;
  }

  /** Without its own credentials no trigger could be checked: refuse to start, saying why. */
  void requireCredentials(@Observes StartupEvent event) {
    ownTokens.requireCredentials();
  }

  @Incoming("triggers")
  public Uni<Void> onTriggers(KafkaRecordBatch<String, byte[]> batch) {
    // Every type is handled: anything but a trigger here is an upstream mistake, told via the DLQ.
    // Many principals write here: each one's (source, id) is its own ({@link TriggerTokens}).
    return consumer.inTransaction(
        batch,
        EnumSet.allOf(EventType.class),
        c -> TriggerTokens.inboxKey(c, authorization(c.headers())),
        this::apply);
  }

  Uni<Void> apply(SqlConnection tx, Consumed consumed) {
    return Uni.createFrom()
        .deferred(
            () -> {
              TriggerRequested trigger = trigger(consumed);
              String authorization = authorization(consumed.headers());
              return tokens
                  .authenticate(authorization, consumed.timestamp())
                  .chain(caller -> start(tx, consumed, trigger, caller));
            })
        .onFailure(ProblemException.class)
        .transform(TriggerConsumer::rejection);
  }

  private Uni<Void> start(
      SqlConnection tx, Consumed consumed, TriggerRequested trigger, Caller caller) {
    RunRequests.StartRun request =
        new RunRequests.StartRun(
            trigger.workspace(),
            trigger.pipeline(),
            trigger.environment(),
            trigger.parameters() == null ? null : EventCodec.toTree(trigger.parameters()),
            trigger.idempotencyKey());
    // The caller's token is a trigger token, which the broker's API would refuse as a bearer: this
    // service asks with its own, on behalf of it.
    return access
        .requireOnBehalf(
            caller, "pipeline.run", Pipelines.scope(trigger.workspace(), trigger.pipeline()))
        .chain(
            allowed ->
                runs.start(
                    tx,
                    request,
                    caller,
                    RunRequests.Origin.kafka(consumed.event().id(), consumed.traceparent())))
        .replaceWithVoid();
  }

  /**
   * The bearer token header. Kafka header names are case-sensitive, but producers often write
   * {@code Authorization} as in HTTP: both are accepted (the DLQ strips either).
   */
  private static String authorization(Headers headers) {
    String value = null;
    for (Header header : headers) {
      if (header.key().equalsIgnoreCase(KafkaEvents.AUTHORIZATION) && header.value() != null) {
        value = new String(header.value(), StandardCharsets.UTF_8);
      }
    }
    return value;
  }

  /** Other types never get here: none but trigger.requested belongs on conductor.triggers. */
  private static TriggerRequested trigger(Consumed consumed) {
    List<String> violations = Schemas.violations(consumed.event());
    if (!violations.isEmpty()) {
      throw new Rejected("invalid trigger: " + String.join("; ", violations));
    }
    return consumed.data(TriggerRequested.class);
  }

  /**
   * A refused trigger goes to the DLQ with the problem as its reason; an unreachable access check
   * stays a transient failure, so the consumer retries before giving up.
   */
  private static Throwable rejection(Throwable failure) {
    ProblemException problem = (ProblemException) failure;
    if (problem.type().isTransient()) {
      return new IllegalStateException(problem.getMessage());
    }
    return new Rejected(problem.type().slug() + ": " + problem.getMessage());
  }
}
