package dev.conductor.platform.kafka;

import dev.conductor.events.Envelope;
import dev.conductor.events.EventFormatException;
import dev.conductor.events.KafkaEvents;
import dev.conductor.platform.db.Transactions;
import dev.conductor.platform.dlq.DeadLetters;
import dev.conductor.platform.inbox.Inbox;
import dev.conductor.platform.problem.ProblemException;
import dev.conductor.platform.trace.TraceContext;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.time.Clock;
import java.time.Duration;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * The one way a service consumes events: decode the CloudEvent, apply it at most once (inbox row in
 * the same transaction as its effect), acknowledge after commit. A message that cannot be processed
 * goes to the DLQ with its reason and consumption continues; a transient failure (database down) is
 * retried with backoff first.
 */
@ApplicationScoped
public class EventConsumer {
  private static final Logger LOG = Logger.getLogger(EventConsumer.class);
  private static final int RETRIES = 5;

  private final DeadLetters deadLetters;
  private final Instance<Transactions> transactions;
  private final Instance<Inbox> inbox;
  private final Clock clock;

  public EventConsumer(
      DeadLetters deadLetters,
      Instance<Transactions> transactions,
      Instance<Inbox> inbox,
      Clock clock) {
    this.deadLetters = deadLetters;
    this.clock = clock;
    this.transactions = transactions;
    this.inbox = inbox;
  }

  /** Applies the event once, in a transaction with its inbox row. */
  public Uni<Void> inTransaction(
      Message<byte[]> message, BiFunction<SqlConnection, Consumed, Uni<Void>> handler) {
    return process(
        message,
        consumed ->
            transactions
                .get()
                .run(
                    tx ->
                        inbox
                            .get()
                            .firstTime(tx, consumed.event().source(), consumed.event().id())
                            .chain(
                                first ->
                                    first
                                        ? handler.apply(tx, consumed)
                                        : Uni.createFrom().voidItem())));
  }

  /** Applies the event without a database (the executor); the handler must be idempotent. */
  public Uni<Void> process(Message<byte[]> message, Function<Consumed, Uni<Void>> handler) {
    IncomingKafkaRecordMetadata<?, ?> meta =
        message.getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow();
    Headers headers = meta.getHeaders() == null ? new RecordHeaders() : meta.getHeaders();
    String key = meta.getKey() == null ? null : meta.getKey().toString();
    Consumed consumed;
    try {
      Envelope<?> event = KafkaEvents.decode(headers, key, message.getPayload());
      consumed =
          new Consumed(
              event,
              meta.getTopic(),
              meta.getPartition(),
              meta.getOffset(),
              meta.getTimestamp() == null ? clock.instant() : meta.getTimestamp(),
              TraceContext.childOf(KafkaEvents.header(headers, KafkaEvents.TRACEPARENT)),
              headers);
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
      return p.status() >= 500;
    }
    return !(e instanceof Rejected
        || e instanceof EventFormatException
        || e instanceof IllegalArgumentException);
  }

  private static String reason(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
