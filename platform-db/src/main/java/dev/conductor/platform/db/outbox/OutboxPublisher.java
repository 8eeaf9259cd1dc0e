package dev.conductor.platform.db.outbox;

import dev.conductor.platform.kafka.KafkaProducers;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Publishes a transaction's outbox rows from this process right after it commits (one producer,
 * records sent in append order), then deletes them. The {@link OutboxRelay} only sweeps what this
 * path left behind: rows of a process that died between commit and publish, or of a send that
 * failed. After a failed send the relay takes over every row, in order, until the outbox is empty
 * again: a newer event of a key must never overtake an older one that is still waiting.
 */
@ApplicationScoped
public class OutboxPublisher {
  private static final Logger LOG = Logger.getLogger(OutboxPublisher.class);
  private static final String DELETE = "DELETE FROM outbox WHERE seq = ANY($1)";

  private final Pool pool;
  private final KafkaProducers producers;
  private final OutboxRelay relay;
  private final BrokerTopics topics;
  // KafkaProducer.send may block (metadata, a full buffer): never on an event loop. One thread
  // keeps the sends in commit order, so one key's events stay in order.
  private final Queue<Long> published = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean deleting = new AtomicBoolean();
  private final ExecutorService sender =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "outbox-publisher");
            t.setDaemon(true);
            return t;
          });

  public OutboxPublisher(
      Pool pool, KafkaProducers producers, OutboxRelay relay, BrokerTopics topics) {
    this.pool = pool;
    this.producers = producers;
    this.relay = relay;
    this.topics = topics;
  }

  /**
   * Publishes what a committed transaction appended (for {@link
   * dev.conductor.platform.db.Transactions}).
   */
  public void afterCommit(Appended appended) {
    if (appended.isEmpty()) {
      return;
    }
    try {
      sender.execute(() -> publish(appended));
    } catch (RejectedExecutionException e) {
      relay.takeOver(); // shutting down: the relay (or the next start) publishes them
    }
  }

  private void publish(Appended appended) {
    if (relay.inCharge()) {
      relay.wake();
      return;
    }
    // A send to a topic not yet seen to exist could wait a minute for metadata on this thread:
    // the relay finds out first, and parks the row if the topic does not exist.
    if (appended.records().stream().anyMatch(r -> !topics.known(r.topic()))) {
      relay.takeOver();
      return;
    }
    List<CompletableFuture<?>> acks =
        appended.records().stream().<CompletableFuture<?>>map(producers::send).toList();
    CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
        .whenComplete(
            (ok, error) -> {
              if (error != null) {
                LOG.warnf("publishing after commit failed (%s): the relay takes over", error);
                // Perhaps a topic has gone: the relay asks the broker again before it sends, and
                // parks the rows of a topic that no longer exists.
                appended.records().forEach(r -> topics.forget(r.topic()));
                relay.takeOver();
                return;
              }
              deleteLater(appended.seqs());
            });
  }

  /**
   * Deletes published rows, many transactions' at once: one DELETE in flight at a time, and the
   * rows published meanwhile wait for the next. Under load that is one commit for many publishes
   * instead of one each (it was two of a run's eight commits).
   */
  private void deleteLater(List<Long> seqs) {
    published.addAll(seqs);
    deleteNext();
  }

  private void deleteNext() {
    if (published.isEmpty() || !deleting.compareAndSet(false, true)) {
      return;
    }
    List<Long> batch = new ArrayList<>();
    for (Long seq = published.poll(); seq != null; seq = published.poll()) {
      batch.add(seq);
    }
    try {
      pool.preparedQuery(DELETE)
          .execute(Tuple.of(batch.toArray(Long[]::new)))
          .subscribe()
          .with(done -> deleted(), this::notDeleted);
    } catch (RuntimeException e) {
      notDeleted(e); // the pool is closing: never leave the next deletes waiting on this one
    }
  }

  /**
   * Published but not deleted: the relay publishes them again later and consumers skip the
   * duplicates.
   */
  private void notDeleted(Throwable e) {
    LOG.warnf("deleting published outbox rows failed: %s", e.getMessage());
    deleted();
  }

  private void deleted() {
    deleting.set(false);
    deleteNext(); // rows published while this DELETE ran
  }

  @PreDestroy
  void stop() {
    sender.shutdown();
  }
}
