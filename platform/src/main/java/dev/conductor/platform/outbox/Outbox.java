package dev.conductor.platform.outbox;

import dev.conductor.events.Envelope;
import dev.conductor.events.KafkaEvents;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Writes events to the outbox inside the caller's transaction; the {@link OutboxRelay} publishes
 * them after commit. This is the only way a service with a database emits events.
 */
@ApplicationScoped
public class Outbox {
  private static final String INSERT =
      "INSERT INTO outbox (event_id, topic, record_key, headers, value) VALUES ($1, $2, $3, $4,"
          + " $5)";

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
        .replaceWithVoid();
  }
}
