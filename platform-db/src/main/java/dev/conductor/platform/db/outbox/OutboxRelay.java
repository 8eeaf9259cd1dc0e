package dev.conductor.platform.db.outbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conductor.events.EventCodec;
import dev.conductor.platform.kafka.KafkaProducers;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.jboss.logging.Logger;

/**
 * Publishes what publishing after commit ({@link OutboxPublisher}) left behind, in (key, sequence)
 * order, and deletes it once Kafka acknowledged it: rows older than {@code conductor.outbox.grace}
 * (a process died between commit and publish), or every row while it is in charge after a failed
 * publish. Several instances may run: rows are claimed with FOR UPDATE SKIP LOCKED and a per-key
 * advisory lock, so no two relays interleave one key's events.
 */
@ApplicationScoped
public class OutboxRelay {
  private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
  // Rows younger than the grace are being published by the process that committed them.
  private static final String CLAIM =
      """
      SELECT seq, topic, record_key, headers::text, value FROM outbox
      WHERE parked_at IS NULL AND created_at < now() - make_interval(secs => ?)
      AND pg_try_advisory_xact_lock(hashtext(record_key))
      ORDER BY seq LIMIT ? FOR UPDATE SKIP LOCKED
      """;
  private static final String DELETE = "DELETE FROM outbox WHERE seq = ANY (?)";
  private static final String PARK =
      "UPDATE outbox SET parked_at = now(), parked_reason = ? WHERE seq = ?";

  private final DataSource dataSource;
  private final KafkaProducers producers;
  private final BrokerTopics topics;
  private final int batchSize;
  private final long pollMillis;
  private final Semaphore wakeups = new Semaphore(0);
  private final double graceSeconds;
  // Set after a failed publish-after-commit: the relay publishes every row, in order, until the
  // outbox is empty, and commits only wake it meanwhile.
  private final AtomicBoolean inCharge = new AtomicBoolean();
  // Rows appended outside Transactions.run are published by the relay alone: it sweeps without
  // the grace until then, since it cannot know when their transaction commits.
  private volatile long sweepAllUntilNanos = System.nanoTime();
  private volatile boolean running;
  private Thread thread;

  public OutboxRelay(
      DataSource dataSource,
      KafkaProducers producers,
      BrokerTopics topics,
      OutboxSettings settings) {
    this.graceSeconds = settings.grace().toMillis() / 1000.0;
    this.dataSource = dataSource;
    this.producers = producers;
    this.topics = topics;
    this.batchSize = settings.batchSize();
    this.pollMillis = settings.poll().toMillis();
  }

  void start(@Observes StartupEvent event) {
    running = true;
    thread = new Thread(this::loop, "outbox-relay");
    thread.setDaemon(true);
    thread.start();
  }

  void stop(@Observes ShutdownEvent event) throws InterruptedException {
    running = false;
    wake();
    if (thread != null) {
      thread.join(5_000);
    }
  }

  /** Whether the relay publishes every row (after a failed publish-after-commit). */
  public boolean inCharge() {
    return inCharge.get();
  }

  /** A publish-after-commit failed: publish everything in order until the outbox is empty. */
  public void takeOver() {
    inCharge.set(true);
    wake();
  }

  /** Rows were appended outside {@link dev.conductor.platform.db.Transactions}: publish them. */
  public void wakeForAll() {
    sweepAllUntilNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    wake();
  }

  /** Tells the relay that a transaction with outbox rows has committed. */
  public void wake() {
    if (wakeups.availablePermits() == 0) {
      wakeups.release();
    }
  }

  private void loop() {
    while (running) {
      try {
        wakeups.tryAcquire(pollMillis, TimeUnit.MILLISECONDS);
        wakeups.drainPermits();
        boolean all = inCharge.get() || System.nanoTime() - sweepAllUntilNanos < 0;
        while (running && publishBatch(all ? 0 : graceSeconds) == batchSize) {
          // a full batch: more rows are probably waiting
        }
        if (all && inCharge.get() && isEmpty()) {
          inCharge.set(false); // caught up: publishing after commit is safe again
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        LOG.warnf("outbox relay: %s; retrying", rootCause(e));
        sleepQuietly(1_000);
      }
    }
  }

  /** One index probe, not a count: the outbox may hold a backlog when this is asked. */
  private boolean isEmpty() throws Exception {
    try (Connection c = dataSource.getConnection();
        PreparedStatement any =
            c.prepareStatement("SELECT EXISTS (SELECT 1 FROM outbox WHERE parked_at IS NULL)");
        ResultSet rs = any.executeQuery()) {
      rs.next();
      return !rs.getBoolean(1);
    }
  }

  /**
   * Publishes one batch of rows older than {@code olderThanSeconds}; returns how many it handled. A
   * row that can never be published (its topic does not exist, the broker refuses its size) is
   * parked with the reason and the rows behind it go on; any other failure is an outage, and the
   * whole batch is tried again later.
   */
  int publishBatch(double olderThanSeconds) throws Exception {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        List<Long> published = new ArrayList<>();
        List<CompletableFuture<?>> acks = new ArrayList<>();
        List<String> topicsSent = new ArrayList<>();
        Map<Long, String> parked = new LinkedHashMap<>();
        try (PreparedStatement claim = c.prepareStatement(CLAIM)) {
          claim.setDouble(1, olderThanSeconds);
          claim.setInt(2, batchSize);
          try (ResultSet rs = claim.executeQuery()) {
            while (rs.next()) {
              long seq = rs.getLong(1);
              String topic = rs.getString(2);
              Optional<String> unpublishable = topics.unpublishable(topic);
              if (unpublishable.isPresent()) {
                parked.put(seq, unpublishable.get());
                continue;
              }
              published.add(seq);
              topicsSent.add(topic);
              acks.add(producers.send(record(rs)));
            }
          }
        }
        if (published.isEmpty() && parked.isEmpty()) {
          c.commit();
          return 0;
        }
        List<Long> sent = new ArrayList<>();
        for (int i = 0; i < acks.size(); i++) {
          String unpublishable = unpublishable(acks.get(i), topicsSent.get(i));
          if (unpublishable == null) {
            sent.add(published.get(i));
          } else {
            parked.put(published.get(i), unpublishable);
          }
        }
        try (PreparedStatement delete = c.prepareStatement(DELETE)) {
          Array seqs = c.createArrayOf("bigint", sent.toArray());
          delete.setArray(1, seqs);
          delete.executeUpdate();
        }
        park(c, parked);
        c.commit();
        return sent.size() + parked.size();
      } catch (Exception e) {
        c.rollback();
        throw e;
      }
    }
  }

  /**
   * Waits for one send: null once acknowledged, the reason when the row can never be published.
   *
   * @throws Exception for any other failure (an outage: the batch is tried again)
   */
  private String unpublishable(CompletableFuture<?> ack, String topic) throws Exception {
    try {
      ack.get(60, TimeUnit.SECONDS);
      return null;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RecordTooLargeException) {
        return "too large for the broker: " + cause.getMessage();
      }
      if (cause instanceof TopicAuthorizationException) {
        return BrokerTopics.notAllowed(topic); // e.g. a topic it may read but not write
      }
      topics.forget(topic);
      Optional<String> unpublishable = topics.unpublishable(topic);
      if (unpublishable.isPresent()) {
        return unpublishable.get();
      }
      throw e;
    }
  }

  private static void park(Connection c, Map<Long, String> parked) throws Exception {
    if (parked.isEmpty()) {
      return;
    }
    try (PreparedStatement park = c.prepareStatement(PARK)) {
      for (Map.Entry<Long, String> row : parked.entrySet()) {
        LOG.errorf("outbox row %d parked, never to be published: %s", row.getKey(), row.getValue());
        park.setString(1, row.getValue());
        park.setLong(2, row.getKey());
        park.addBatch();
      }
      park.executeBatch();
    }
  }

  private static ProducerRecord<String, byte[]> record(ResultSet rs) throws Exception {
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(rs.getString(2), rs.getString(3), rs.getBytes(5));
    JsonNode headers = EventCodec.JSON.readTree(rs.getString(4));
    for (Iterator<Map.Entry<String, JsonNode>> it = headers.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> h = it.next();
      record.headers().add(h.getKey(), h.getValue().asText().getBytes(StandardCharsets.UTF_8));
    }
    return record;
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The message with its innermost cause: "Failed to create new KafkaAdminClient" alone says
   * nothing.
   */
  private static String rootCause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root + ")";
  }
}
