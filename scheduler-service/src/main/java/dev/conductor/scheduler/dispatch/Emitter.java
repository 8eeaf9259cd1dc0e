package dev.conductor.scheduler.dispatch;

import dev.conductor.events.Envelope;
import dev.conductor.events.EventType;
import dev.conductor.platform.db.outbox.Outbox;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;

/** Emits the scheduler's events through the outbox, in the transaction of the state change. */
@ApplicationScoped
public class Emitter {
  public static final String SOURCE = Envelope.sourceOf("scheduler-service");

  private final Outbox outbox;
  private final Clock clock;

  public Emitter(Outbox outbox, Clock clock) {
    this.outbox = outbox;
    this.clock = clock;
  }

  /** Appends an event about {@code runId} (key and subject) caused by {@code cause}. */
  public Uni<Void> emit(
      SqlConnection tx, Cause cause, String runId, String runTrace, EventType type, Object data) {
    Envelope<Object> event =
        cause.eventId() == null
            ? Envelope.of(type, SOURCE, runId, data, clock)
            : Envelope.causedBy(cause.eventId(), type, SOURCE, runId, data, clock);
    return outbox.append(tx, event, type.topic(), cause.traceFor(runId, runTrace));
  }
}
