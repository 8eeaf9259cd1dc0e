package dev.conductor.platform.db.outbox;

import dev.conductor.events.Envelope;
import dev.conductor.events.KafkaEvents;
import dev.conductor.platform.db.Transactions;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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
      """
      INSERT INTO outbox (event_id, topic, record_key, headers, value) VALUES ($1, $2, $3, $4,
      $5) RETURNING seq
      """;
  // All of a transaction's rows in one statement (one execution on the server, not one per row),
  // inserted in append order: their seqs, assigned in that order, come back sorted to match.
  private static final String INSERT_ALL =
      """
      INSERT INTO outbox (event_id, topic, record_key, headers, value)
      SELECT e, t, k, h::jsonb, v FROM unnest($1::text[], $2::text[], $3::text[],
      $4::text[], $5::bytea[]) WITH ORDINALITY AS r(e, t, k, h, v, n) ORDER BY n
      RETURNING seq
      """;

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

  /**
   * Appends {@code event} for {@code topic}, continuing the trace {@code traceparent}. Inside
   * {@link Transactions#run} the row is written with the transaction's others just before it
   * commits ({@link #flush}); outside it, at once.
   */
  public Uni<Void> append(SqlConnection tx, Envelope<?> event, String topic, String traceparent) {
    ProducerRecord<String, byte[]> record = KafkaEvents.toRecord(event, topic, traceparent);
    Tuple row = row(event, topic, record);
    Appended appended = open.get(tx);
    if (appended != null) {
      appended.pending(row, record);
      return Uni.createFrom().voidItem();
    }
    // Not in Transactions.run: nobody publishes it after commit, the relay must.
    return tx.preparedQuery(INSERT).execute(row).invoke(relay::wakeForAll).replaceWithVoid();
  }

  /**
   * For {@link Transactions}: writes the rows {@code tx} appended in one statement (one round trip
   * and one execution however many events a poll caused), before it commits.
   */
  public Uni<Void> flush(SqlConnection tx) {
    Appended appended = open.get(tx);
    if (appended == null || !appended.hasPending()) {
      return Uni.createFrom().voidItem();
    }
    List<Tuple> rows = appended.pendingRows();
    int n = rows.size();
    String[] ids = new String[n];
    String[] topics = new String[n];
    String[] keys = new String[n];
    String[] headers = new String[n];
    Buffer[] values = new Buffer[n];
    for (int i = 0; i < n; i++) {
      Tuple row = rows.get(i);
      ids[i] = row.getString(0);
      topics[i] = row.getString(1);
      keys[i] = row.getString(2);
      headers[i] = ((JsonObject) row.getValue(3)).encode();
      values[i] = (Buffer) row.getValue(4);
    }
    return tx.preparedQuery(INSERT_ALL)
        .execute(Tuple.of(ids, topics, keys, headers, values))
        .invoke(
            result -> {
              List<Long> seqs = new ArrayList<>(n);
              result.forEach(r -> seqs.add(r.getLong("seq")));
              Collections.sort(seqs);
              appended.written(seqs);
            })
        .replaceWithVoid();
  }

  private static Tuple row(Envelope<?> event, String topic, ProducerRecord<String, byte[]> record) {
    JsonObject headers = new JsonObject();
    for (Header h : record.headers()) {
      headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
    }
    return Tuple.of(event.id(), topic, event.key(), headers, Buffer.buffer(record.value()));
  }
}
