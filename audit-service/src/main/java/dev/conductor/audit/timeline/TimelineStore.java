package dev.conductor.audit.timeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.conductor.events.EventCodec;
import dev.conductor.events.EventType;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/** Reads a run's records from the ledger (the Kafka key of every event of a run is its id). */
@ApplicationScoped
public class TimelineStore {
  private static final String RUN_REQUESTED =
      "SELECT event FROM ledger WHERE record_key = $1 AND type = $2 ORDER BY chain, seq LIMIT 1";
  private static final String RECORDS =
      """
      SELECT chain, seq, topic, type, id, source, causation_id, time, step, traceparent, hash
      FROM ledger WHERE record_key = $1
      """;

  private final Pool pool;

  public TimelineStore(Pool pool) {
    this.pool = pool;
  }

  /** The workspace named by the run's recorded run.requested, or null if none is recorded. */
  public Uni<String> workspaceOf(String runId) {
    return pool.preparedQuery(RUN_REQUESTED)
        .execute(Tuple.of(runId, EventType.RUN_REQUESTED.type()))
        .map(
            rows -> {
              if (rows.size() == 0) {
                return null;
              }
              try {
                JsonNode event = EventCodec.JSON.readTree(rows.iterator().next().getString(0));
                String ws = event.path("data").path("workspace").asText(null);
                return ws == null || ws.isBlank() ? null : ws;
              } catch (JsonProcessingException e) {
                return null;
              }
            });
  }

  public Uni<List<TimelineRecord>> recordsOf(String runId) {
    return pool.preparedQuery(RECORDS).execute(Tuple.of(runId)).map(TimelineStore::records);
  }

  private static List<TimelineRecord> records(RowSet<Row> rows) {
    List<TimelineRecord> records = new ArrayList<>(rows.size());
    for (Row row : rows) {
      records.add(
          new TimelineRecord(
              row.getInteger("chain"),
              row.getLong("seq"),
              row.getString("topic"),
              row.getString("type"),
              row.getString("id"),
              row.getString("source"),
              row.getString("causation_id"),
              row.getOffsetDateTime("time").toInstant(),
              row.getString("step"),
              row.getString("traceparent"),
              row.getString("hash")));
    }
    return records;
  }
}
