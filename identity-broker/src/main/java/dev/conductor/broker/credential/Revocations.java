package dev.conductor.broker.credential;

import dev.conductor.events.Envelope;
import dev.conductor.events.EventType;
import dev.conductor.events.data.AttemptCancelled;
import dev.conductor.events.data.AttemptFailed;
import dev.conductor.events.data.AttemptFenced;
import dev.conductor.events.data.AttemptSucceeded;
import dev.conductor.events.data.AttemptTimedOut;
import dev.conductor.events.data.CredentialRevoked;
import dev.conductor.platform.db.inbox.InboxConsumer;
import dev.conductor.platform.db.outbox.Outbox;
import dev.conductor.platform.kafka.Consumed;
import dev.conductor.platform.kafka.PollHandler;
import dev.conductor.platform.kafka.Rejected;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Revokes an attempt's credential leases when the attempt ends, or when it is dispatched again
 * ({@link #revoke}), one event per lease.
 */
@ApplicationScoped
public class Revocations {
  private static final String SOURCE = Envelope.sourceOf("identity-broker");

  private final InboxConsumer consumer;
  private final Leases leases;
  private final Outbox outbox;

  /** The executors' end events, on {@code conductor.attempts.<pool>}. */
  private static final Set<EventType> ENDS =
      EnumSet.of(
          EventType.ATTEMPT_SUCCEEDED,
          EventType.ATTEMPT_FAILED,
          EventType.ATTEMPT_TIMED_OUT,
          EventType.ATTEMPT_CANCELLED);

  private final Clock clock;

  public Revocations(InboxConsumer consumer, Leases leases, Outbox outbox, Clock clock) {
    this.consumer = consumer;
    this.leases = leases;
    this.outbox = outbox;
    this.clock = clock;
  }

  /**
   * Consumes every pool's {@code conductor.attempts.<pool>} (attempt end events only); a duplicate
   * finds no live lease left and emits nothing. The scheduler's {@code attempt.fenced} arrives on
   * {@code conductor.runs}, with the jobs ({@link #revokeAll}).
   */
  @Incoming("ended")
  public Uni<Void> onEnded(KafkaRecordBatch<String, byte[]> batch) {
    return consumer.inPollTransaction(
        batch, ENDS, tx -> PollHandler.together(events -> revokeAll(tx, events)));
  }

  /**
   * The live leases of every attempt a poll's end events name, in one statement; each revoked lease
   * gets a {@code credential.revoked} caused by the first end event of its attempt. An end event
   * that names no attempt fails the poll (replayed one event at a time, only it goes to the DLQ).
   * Events of other types are skipped. A fenced attempt counts as ended: the scheduler gave up on
   * it (lease expired), and its executor may still run it with credentials that must stop working
   * now.
   */
  public Uni<Void> revokeAll(SqlConnection tx, List<Consumed> events) {
    Map<String, Consumed> byAttempt = new LinkedHashMap<>();
    for (Consumed consumed : events) {
      String attemptId = attemptId(consumed);
      if (attemptId == null) {
        continue;
      }
      if (attemptId.isBlank()) {
        throw new Rejected(consumed.event().type().shortName() + " names no attempt");
      }
      byAttempt.putIfAbsent(attemptId, consumed);
    }
    if (byAttempt.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    List<String> ids = List.copyOf(byAttempt.keySet());
    List<String> reasons =
        ids.stream().map(id -> byAttempt.get(id).event().type().shortName()).toList();
    return leases
        .revokeAttempts(tx, ids, reasons, clock.instant())
        .chain(
            revoked ->
                PollHandler.inOrder(
                    revoked,
                    lease -> {
                      Consumed cause = byAttempt.get(lease.attemptId());
                      return announce(tx, cause, lease, cause.event().type().shortName());
                    }));
  }

  /**
   * Revokes the attempt's live leases in {@code tx}, each with a {@code credential.revoked} caused
   * by {@code consumed}; nothing when none is live.
   */
  public Uni<Void> revoke(SqlConnection tx, Consumed consumed, String attemptId, String reason) {
    return leases
        .revokeAttempts(tx, List.of(attemptId), List.of(reason), clock.instant())
        .chain(revoked -> PollHandler.inOrder(revoked, l -> announce(tx, consumed, l, reason)));
  }

  private Uni<Void> announce(
      SqlConnection tx, Consumed consumed, Leases.Revoked lease, String reason) {
    Envelope<CredentialRevoked> event =
        Envelope.causedBy(
            consumed.event().id(),
            EventType.CREDENTIAL_REVOKED,
            SOURCE,
            lease.runId(),
            new CredentialRevoked(lease.leaseId(), lease.runId(), lease.attemptId(), reason),
            clock);
    return outbox.append(tx, event, EventType.CREDENTIAL_REVOKED.topic(), consumed.traceparent());
  }

  /** The attempt an end event is about; null for every other type (ignored). */
  private static String attemptId(Consumed consumed) {
    Object data = consumed.event().data();
    String id =
        switch (consumed.event().type()) {
          case ATTEMPT_SUCCEEDED -> ((AttemptSucceeded) data).attemptId();
          case ATTEMPT_FAILED -> ((AttemptFailed) data).attemptId();
          case ATTEMPT_TIMED_OUT -> ((AttemptTimedOut) data).attemptId();
          case ATTEMPT_CANCELLED -> ((AttemptCancelled) data).attemptId();
          case ATTEMPT_FENCED -> ((AttemptFenced) data).attemptId();
          default -> null;
        };
    EventType type = consumed.event().type();
    if (id == null && (ENDS.contains(type) || type == EventType.ATTEMPT_FENCED)) {
      return "";
    }
    return id;
  }
}
