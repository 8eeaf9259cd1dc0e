package dev.conductor.scheduler.slot;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The {@code resource_classes} table: the stored section {@code resourceClasses}. */
@ApplicationScoped
public class ResourceClassStore {
  public Uni<Map<String, Integer>> all(SqlClient client) {
    return client
        .query("SELECT name, slots FROM resource_classes")
        .execute()
        .map(
            rows -> {
              Map<String, Integer> classes = new TreeMap<>();
              rows.forEach(row -> classes.put(row.getString("name"), row.getInteger("slots")));
              return classes;
            });
  }

  /** Makes the table hold exactly {@code classes}. */
  public Uni<Void> replace(SqlConnection tx, Map<String, Integer> classes) {
    List<Tuple> rows = new ArrayList<>();
    classes.forEach((name, slots) -> rows.add(Tuple.of(name, slots)));
    Uni<Void> delete =
        tx.preparedQuery("DELETE FROM resource_classes WHERE NOT (name = ANY($1))")
            .execute(Tuple.of(classes.keySet().toArray(String[]::new)))
            .replaceWithVoid();
    if (rows.isEmpty()) {
      return delete;
    }
    return delete.chain(
        () ->
            tx.preparedQuery(
                    """
                    INSERT INTO resource_classes (name, slots) VALUES ($1, $2)
                    ON CONFLICT (name) DO UPDATE SET slots = EXCLUDED.slots
                    """)
                .executeBatch(rows)
                .replaceWithVoid());
  }
}
