package dev.conductor.platform.outbox;

import dev.conductor.events.Envelope;
import dev.conductor.events.KafkaEvents;
import dev.conductor.platform.db.Transactions;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Writes events to the outbox inside the caller's transaction; {@link Transactions} has them
 * published right after commit ({@link OutboxPublisher}), the {@link OutboxRelay} sweeps what that
 * left. This is the only way a service with a database emits events.
 */
@ApplicationScoped
public class Outbox {
  private static final String INSERT =
      "INSERT INTO outbox (event_id, topic, record_key, headers, value) VALUES ($1, $2, $3, $4,"
          + " $5) RETURNING seq";

  // The transactions of Transactions.run in progress, each with the rows it appended so far.
  private final Map<SqlConnection, Appended> open = new ConcurrentHashMap<>();
  private final OutboxRelay relay;

  public Outbox(OutboxRelay relay) {
    this.relay = relay;
  }

  /** For {@link Transactions}: collects what {@code tx} appends, to publish after its commit. */
  public Appended begin(SqlConnection tx) {
    Appended appended = new Appended();
    open.put(tx, appended);
    return appended;
  }

  /** For {@link Transactions}: {@code tx} is over (committing, or failed). */
  public void end(SqlConnection tx) {
    open.remove(tx);
  }

  /** Appends {@code event} for {@code topic}, continuing the trace {@code traceparent}. */
  public Uni<Void> append(SqlConnection tx, Envelope<?> event, String topic, String traceparent) {
    ProducerRecord<String, byte[]> record = KafkaEvents.toRecord(event, topic, traceparent);
    JsonObject headers = new JsonObject();
    for (Header h : record.headers()) {
      headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
    }
    return tx.preparedQuery(INSERT)
        .execute(
            Tuple.of(
                event.id(),
                topic,
                event.key(),
                headers,
                io.vertx.core.buffer.Buffer.buffer(record.value())))
        .invoke(
            rows -> {
              Appended appended = open.get(tx);
              if (appended != null) {
                appended.add(rows.iterator().next().getLong("seq"), record);
              } else {
                // Not in Transactions.run: nobody publishes it after commit, the relay must.
                relay.wakeForAll();
              }
            })
        .replaceWithVoid();
  }
}
