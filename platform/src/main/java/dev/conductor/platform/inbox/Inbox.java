package dev.conductor.platform.inbox;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/** Consumer de-duplication on (source, id), inside the transaction that applies the event. */
@ApplicationScoped
public class Inbox {
  private static final String RECORD =
      "INSERT INTO inbox (source, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING";

  /** True the first time this event is seen; false for a redelivery, which must be skipped. */
  public Uni<Boolean> firstTime(SqlConnection tx, String source, String eventId) {
    return tx.preparedQuery(RECORD)
        .execute(Tuple.of(source, eventId))
        .map(result -> result.rowCount() == 1);
  }
}
