package dev.conductor.audit.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.conductor.events.Envelope;
import dev.conductor.events.EventCodec;
import dev.conductor.events.EventType;
import dev.conductor.events.Topics;
import dev.conductor.events.data.AuditRecord;
import dev.conductor.platform.db.outbox.Outbox;
import dev.conductor.platform.trace.TraceContext;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * Emits one {@code audit.record} per appended row through the outbox, in the appending transaction.
 * The Kafka key is the recorded event's key, so a run's records share a partition.
 */
@ApplicationScoped
public class AuditPublisher {
  private final Outbox outbox;

  public AuditPublisher(Outbox outbox) {
    this.outbox = outbox;
  }

  public Uni<Void> publish(SqlConnection tx, List<Recorded> recorded) {
    if (recorded.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    List<Uni<Void>> appends =
        recorded.stream()
            .map(r -> outbox.append(tx, envelope(r), Topics.AUDIT, hop(r.observed())))
            .toList();
    // One connection runs them in submission order; joining only saves round-trip waits.
    return Uni.join().all(appends).andFailFast().replaceWithVoid();
  }

  static Envelope<AuditRecord> envelope(Recorded r) {
    Observed o = r.observed();
    AuditRecord data;
    try {
      data =
          new AuditRecord(
              r.chain(),
              r.seq(),
              r.prevHash(),
              r.hash(),
              o.topic(),
              o.id(),
              o.source(),
              o.type(),
              o.subject(),
              o.causationId(),
              o.traceparent(),
              r.recordedAt(),
              EventCodec.JSON.readTree(o.event()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("recorded event is not JSON", e);
    }
    // A deterministic id: the record is identified by its place in the ledger.
    return new Envelope<>(
        "audit-" + r.chain() + "-" + r.seq(),
        EventType.AUDIT_RECORD,
        RecordReader.SOURCE,
        o.subject(),
        r.recordedAt(),
        o.id(),
        o.key(),
        data);
  }

  /** The recorded event's trace continues through the audit hop; no trace, no header. */
  private static String hop(Observed o) {
    return TraceContext.isValid(o.traceparent()) ? TraceContext.childOf(o.traceparent()) : null;
  }
}
