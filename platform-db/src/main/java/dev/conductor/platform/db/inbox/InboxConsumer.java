package dev.conductor.platform.db.inbox;

import dev.conductor.events.EventType;
import dev.conductor.platform.db.Failures;
import dev.conductor.platform.db.Transactions;
import dev.conductor.platform.kafka.Consumed;
import dev.conductor.platform.kafka.EventConsumer;
import dev.conductor.platform.kafka.PollHandler;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The consume path of a service with a database: a poll decoded by {@link EventConsumer} is applied
 * at most once, each event's inbox row in the same transaction as its effect, and acknowledged
 * after the commit. A message that cannot be processed goes to the DLQ with its reason and
 * consumption continues; a transient failure (database down) is retried with backoff first.
 */
@ApplicationScoped
public class InboxConsumer {
  private static final Logger LOG = Logger.getLogger(InboxConsumer.class);

  private final EventConsumer events;
  private final Transactions transactions;
  private final Inbox inbox;

  public InboxConsumer(EventConsumer events, Transactions transactions, Inbox inbox) {
    this.events = events;
    this.transactions = transactions;
    this.inbox = inbox;
  }

  /**
   * Applies a whole poll in one transaction: the inbox rows of its events in one statement, then
   * each first-seen event of a type in {@code handled} in the poll's order (a partition's records
   * stay in offset order, so one run's events do). Records of other types are skipped without
   * touching the database; undecodable ones go to the DLQ. A transient failure retries the poll
   * with backoff for as long as it lasts; any other failure replays the poll one event per
   * transaction, so that only the event at fault goes to the DLQ.
   */
  public Uni<Void> inTransaction(
      KafkaRecordBatch<String, byte[]> batch,
      Set<EventType> handled,
      BiFunction<SqlConnection, Consumed, Uni<Void>> handler) {
    return inPollTransaction(batch, handled, tx -> consumed -> handler.apply(tx, consumed));
  }

  /**
   * As {@link #inTransaction(KafkaRecordBatch, Set, BiFunction)}, with the inbox key of each event
   * chosen by {@code keyOf} instead of its (source, id): for events whose writer is not one service
   * but any of many callers, whose keys must not collide with one another's.
   */
  public Uni<Void> inTransaction(
      KafkaRecordBatch<String, byte[]> batch,
      Set<EventType> handled,
      Function<Consumed, Inbox.Key> keyOf,
      BiFunction<SqlConnection, Consumed, Uni<Void>> handler) {
    return inPollTransaction(batch, handled, keyOf, tx -> consumed -> handler.apply(tx, consumed));
  }

  /** As {@link #inTransaction(KafkaRecordBatch, Set, BiFunction)}, with one handler per poll. */
  public Uni<Void> inPollTransaction(
      KafkaRecordBatch<String, byte[]> batch,
      Set<EventType> handled,
      Function<SqlConnection, PollHandler> handler) {
    return inPollTransaction(batch, handled, InboxConsumer::sourceAndId, handler);
  }

  private Uni<Void> inPollTransaction(
      KafkaRecordBatch<String, byte[]> batch,
      Set<EventType> handled,
      Function<Consumed, Inbox.Key> keyOf,
      Function<SqlConnection, PollHandler> handler) {
    EventConsumer.Decoded poll = events.decode(batch, handled);
    Uni<Void> chain = poll.deadLettered();
    List<Consumed> work = poll.work();
    if (!work.isEmpty()) {
      chain = chain.chain(() -> applyPoll(work, keyOf, handler));
    }
    return chain.chain(() -> Uni.createFrom().completionStage(batch::ack));
  }

  private static Inbox.Key sourceAndId(Consumed consumed) {
    return new Inbox.Key(consumed.event().source(), consumed.event().id());
  }

  private Uni<Void> applyPoll(
      List<Consumed> work,
      Function<Consumed, Inbox.Key> keyOf,
      Function<SqlConnection, PollHandler> handler) {
    return untilInfrastructureRecovers(
            () -> transactions.run(tx -> applyFirstTimes(tx, work, keyOf, handler)))
        .onFailure()
        .recoverWithUni(
            e -> {
              LOG.infof(
                  "a poll of %d events failed (%s): applying them one at a time",
                  work.size(), reason(e));
              Uni<Void> oneByOne = Uni.createFrom().voidItem();
              for (Consumed consumed : work) {
                oneByOne = oneByOne.chain(() -> applyAlone(consumed, keyOf, handler));
              }
              return oneByOne;
            });
  }

  private Uni<Void> applyFirstTimes(
      SqlConnection tx,
      List<Consumed> work,
      Function<Consumed, Inbox.Key> keyOf,
      Function<SqlConnection, PollHandler> handlerOf) {
    PollHandler handler = handlerOf.apply(tx);
    List<Inbox.Key> keys = work.stream().map(keyOf).toList();
    return inbox
        .firstTimes(tx, keys)
        .chain(
            first -> {
              List<Consumed> firstSeen = new ArrayList<>();
              for (int i = 0; i < work.size(); i++) {
                if (first.remove(keys.get(i))) {
                  firstSeen.add(work.get(i));
                }
              }
              return handler.applyAll(firstSeen).chain(handler::beforeCommit);
            });
  }

  /** One event in its own transaction; a verdict on it sends it to the DLQ. */
  private Uni<Void> applyAlone(
      Consumed consumed,
      Function<Consumed, Inbox.Key> keyOf,
      Function<SqlConnection, PollHandler> handler) {
    return untilInfrastructureRecovers(
            () -> transactions.run(tx -> applyFirstTimes(tx, List.of(consumed), keyOf, handler)))
        .onFailure()
        .recoverWithUni(e -> events.deadLetter(consumed, "rejected: " + reason(e)));
  }

  /** Retries a transient failure with backoff, without limit: the record is not at fault. */
  private static Uni<Void> untilInfrastructureRecovers(Supplier<Uni<? extends Void>> work) {
    return Uni.createFrom()
        .deferred(work)
        .onFailure(Failures::isTransient)
        .invoke(e -> LOG.warnf("transient failure, retrying: %s", reason(e)))
        .onFailure(Failures::isTransient)
        .retry()
        .withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5))
        .indefinitely();
  }

  private static String reason(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
