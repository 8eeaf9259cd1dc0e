package dev.conductor.platform.kafka;

import dev.conductor.events.Envelope;
import dev.conductor.events.EventFormatException;
import dev.conductor.events.EventType;
import dev.conductor.events.KafkaEvents;
import dev.conductor.platform.dlq.DeadLetters;
import dev.conductor.platform.problem.ProblemException;
import dev.conductor.platform.trace.TraceContext;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * The one way a service reads events: decode the CloudEvent, skip types it does not handle on their
 * header, refuse a type that does not belong on the topic it came from (its writer is another
 * principal), send what cannot be decoded or processed to the DLQ with its reason, and keep going.
 * Services with a database apply what this decodes through {@code InboxConsumer} (platform-db); the
 * executor, which has none, uses {@link #process} directly.
 */
@ApplicationScoped
public class EventConsumer {
  private static final Logger LOG = Logger.getLogger(EventConsumer.class);
  private static final int RETRIES = 5;

  private final DeadLetters deadLetters;
  private final Clock clock;

  public EventConsumer(DeadLetters deadLetters, Clock clock) {
    this.deadLetters = deadLetters;
    this.clock = clock;
  }

  /**
   * A poll's events of the handled types, decoded; the undecodable ones on their way to the DLQ.
   */
  public record Decoded(List<Consumed> work, Uni<Void> deadLettered) {}

  /** Skips types not in {@code handled} on their {@code ce_type} header, before decoding. */
  public Decoded decode(KafkaRecordBatch<String, byte[]> batch, Set<EventType> handled) {
    List<Consumed> work = new ArrayList<>();
    Uni<Void> chain = Uni.createFrom().voidItem();
    for (KafkaRecord<String, byte[]> record : batch.getRecords()) {
      Headers headers = record.getHeaders() == null ? new RecordHeaders() : record.getHeaders();
      Optional<EventType> type =
          EventType.ofType(String.valueOf(KafkaEvents.header(headers, KafkaEvents.CE_TYPE)));
      if (type.isPresent() && !handled.contains(type.get())) {
        continue; // not ours: no decoding, no inbox row
      }
      IncomingKafkaRecordMetadata<?, ?> meta =
          record.getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow();
      try {
        Consumed consumed = decode(meta, headers, record.getKey(), record.getPayload());
        if (handled.contains(consumed.event().type())) {
          work.add(consumed);
        }
      } catch (EventFormatException e) {
        chain =
            chain.chain(
                () ->
                    deadLetters.send(
                        meta.getTopic(),
                        meta.getPartition(),
                        meta.getOffset(),
                        record.getKey(),
                        headers,
                        record.getPayload(),
                        "rejected: " + e.getMessage()));
      }
    }
    return new Decoded(work, chain);
  }

  private Consumed decode(
      IncomingKafkaRecordMetadata<?, ?> meta, Headers headers, String key, byte[] payload) {
    Envelope<?> event = KafkaEvents.decode(headers, key, payload);
    if (!event.type().belongsOn(meta.getTopic())) {
      // Only its one writer may say this, and that writer publishes it elsewhere.
      throw new EventFormatException(
          event.type().type() + " does not belong on " + meta.getTopic());
    }
    return new Consumed(
        event,
        meta.getTopic(),
        meta.getPartition(),
        meta.getOffset(),
        meta.getTimestamp() == null ? clock.instant() : meta.getTimestamp(),
        TraceContext.childOf(KafkaEvents.header(headers, KafkaEvents.TRACEPARENT)),
        headers,
        payload);
  }

  /**
   * A whole poll without a database (the executor): undecodable records go to the DLQ, the events
   * of a type in {@code handled} are handed over together (in poll order), the poll is acknowledged
   * when the handler completes. The handler sends what it rejects to {@link #deadLetter} itself.
   */
  public Uni<Void> process(
      KafkaRecordBatch<String, byte[]> batch,
      Set<EventType> handled,
      Function<List<Consumed>, Uni<Void>> handler) {
    Decoded poll = decode(batch, handled);
    Uni<Void> chain = poll.deadLettered();
    List<Consumed> work = poll.work();
    if (!work.isEmpty()) {
      chain = chain.chain(() -> handler.apply(work));
    }
    return chain.chain(() -> Uni.createFrom().completionStage(batch::ack));
  }

  /** Sends one consumed event to the DLQ with {@code reason}. */
  public Uni<Void> deadLetter(Consumed consumed, String reason) {
    return deadLetters.send(
        consumed.topic(),
        consumed.partition(),
        consumed.offset(),
        consumed.event().key(),
        consumed.headers(),
        consumed.raw(),
        reason);
  }

  /** Applies the event without a database (the executor); the handler must be idempotent. */
  public Uni<Void> process(Message<byte[]> message, Function<Consumed, Uni<Void>> handler) {
    IncomingKafkaRecordMetadata<?, ?> meta =
        message.getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow();
    Headers headers = meta.getHeaders() == null ? new RecordHeaders() : meta.getHeaders();
    String key = meta.getKey() == null ? null : meta.getKey().toString();
    Consumed consumed;
    try {
      consumed = decode(meta, headers, key, message.getPayload());
    } catch (EventFormatException e) {
      return toDlq(message, meta, headers, key, e.getMessage());
    }
    return Uni.createFrom()
        .deferred(() -> handler.apply(consumed))
        .onFailure(EventConsumer::transient_)
        .retry()
        .withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5))
        .atMost(RETRIES)
        .chain(() -> Uni.createFrom().completionStage(message::ack))
        .onFailure()
        .recoverWithUni(
            e ->
                toDlq(
                    message,
                    meta,
                    headers,
                    key,
                    (transient_(e) ? "failed after retries: " : "rejected: ") + reason(e)));
  }

  private Uni<Void> toDlq(
      Message<byte[]> message,
      IncomingKafkaRecordMetadata<?, ?> meta,
      Headers headers,
      String key,
      String reason) {
    return deadLetters
        .send(
            meta.getTopic(),
            meta.getPartition(),
            meta.getOffset(),
            key,
            headers,
            message.getPayload(),
            reason)
        .chain(() -> Uni.createFrom().completionStage(message::ack))
        .onFailure()
        .invoke(e -> LOG.errorf("cannot write to the DLQ: %s", e.getMessage()));
  }

  /** Worth retrying: anything but a verdict on the message itself (a 503 is not a verdict). */
  private static boolean transient_(Throwable e) {
    if (e instanceof ProblemException p) {
      return p.type().isTransient();
    }
    return !(e instanceof Rejected
        || e instanceof EventFormatException
        || e instanceof IllegalArgumentException);
  }

  private static String reason(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
