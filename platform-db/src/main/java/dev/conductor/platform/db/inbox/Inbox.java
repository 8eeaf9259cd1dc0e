package dev.conductor.platform.db.inbox;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Consumer de-duplication on (source, id), inside the transaction that applies the event. */
@ApplicationScoped
public class Inbox {
  private static final String RECORD_ALL =
      """
      INSERT INTO inbox (source, event_id)
      SELECT * FROM unnest($1::text[], $2::text[])
      ON CONFLICT DO NOTHING RETURNING source, event_id
      """;

  /** An event's identity for de-duplication. */
  public record Key(String source, String eventId) {}

  /**
   * Records a whole poll in one statement; returns the keys seen for the first time (a key twice in
   * {@code keys} is returned once: apply it once).
   */
  public Uni<Set<Key>> firstTimes(SqlConnection tx, List<Key> keys) {
    String[] sources = keys.stream().map(Key::source).toArray(String[]::new);
    String[] ids = keys.stream().map(Key::eventId).toArray(String[]::new);
    return tx.preparedQuery(RECORD_ALL)
        .execute(Tuple.of(sources, ids))
        .map(
            rows -> {
              Set<Key> first = new HashSet<>();
              for (Row row : rows) {
                first.add(new Key(row.getString(0), row.getString(1)));
              }
              return first;
            });
  }
}
