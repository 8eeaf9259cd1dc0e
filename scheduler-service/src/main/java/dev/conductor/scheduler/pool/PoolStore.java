package dev.conductor.scheduler.pool;

import static dev.conductor.scheduler.Sql.ts;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Pool rows as configuration: paused, description, retired. The ledger uses the same rows. */
@ApplicationScoped
public class PoolStore {
  private static final String ACTIVE =
      "SELECT name, paused, description FROM pools WHERE retired_at IS NULL";
  private static final String LOCK =
      "SELECT name FROM pools WHERE name = ANY($1) ORDER BY name FOR NO KEY UPDATE";
  private static final String UPSERT =
      """
      INSERT INTO pools (name, paused, description) VALUES ($1, $2, $3)
      ON CONFLICT (name) DO UPDATE SET paused = EXCLUDED.paused,
      description = EXCLUDED.description, retired_at = NULL
      """;
  private static final String RETIRE =
      "UPDATE pools SET retired_at = $2 WHERE name = ANY($1) AND retired_at IS NULL";
  private static final String OPEN_ATTEMPTS =
      """
      SELECT pool, status, count(*) AS n FROM attempts WHERE pool = ANY($1)
      AND status IN ('waiting', 'scheduled', 'claimed', 'running')
      GROUP BY pool, status ORDER BY pool, status
      """;
  private static final String LIVE_EXECUTORS =
      """
      SELECT pool, executor_id FROM executors WHERE pool = ANY($1) AND lease_expires_at > $2
      AND slots > 0 ORDER BY pool, executor_id
      """;

  /** What keeps a pool from being retired. */
  public record Holders(Map<String, Long> attempts, List<String> executors) {
    public boolean none() {
      return attempts.isEmpty() && executors.isEmpty();
    }

    @Override
    public String toString() {
      List<String> parts = new ArrayList<>();
      attempts.forEach((status, n) -> parts.add(n + " " + status + " attempt(s)"));
      if (!executors.isEmpty()) {
        parts.add("live executor(s) " + executors);
      }
      return String.join(", ", parts);
    }
  }

  public Uni<Map<String, PoolConfig>> active(SqlClient client) {
    return client
        .query(ACTIVE)
        .execute()
        .map(
            rows -> {
              Map<String, PoolConfig> pools = new TreeMap<>();
              rows.forEach(
                  row ->
                      pools.put(
                          row.getString("name"),
                          new PoolConfig(row.getBoolean("paused"), row.getString("description"))));
              return pools;
            });
  }

  /** Locks the pools' rows (in name order) until the transaction ends. */
  public Uni<Void> lock(SqlConnection tx, Collection<String> pools) {
    return tx.preparedQuery(LOCK).execute(Tuple.of(array(pools))).replaceWithVoid();
  }

  /** Creates or updates a pool, reviving it if it was retired. */
  public Uni<Void> upsert(SqlConnection tx, String pool, PoolConfig config) {
    return tx.preparedQuery(UPSERT)
        .execute(Tuple.from(Arrays.asList(pool, config.paused(), config.description())))
        .replaceWithVoid();
  }

  public Uni<Void> retire(SqlConnection tx, Collection<String> pools, Instant now) {
    return tx.preparedQuery(RETIRE).execute(Tuple.of(array(pools), ts(now))).replaceWithVoid();
  }

  /** Per pool, its non-final attempts by status and its live executors (pools in use only). */
  public Uni<Map<String, Holders>> holders(
      SqlClient client, Collection<String> pools, Instant now) {
    Map<String, Map<String, Long>> attempts = new TreeMap<>();
    Map<String, List<String>> executors = new TreeMap<>();
    return client
        .preparedQuery(OPEN_ATTEMPTS)
        .execute(Tuple.of(array(pools)))
        .invoke(
            rows ->
                rows.forEach(
                    row ->
                        attempts
                            .computeIfAbsent(row.getString("pool"), k -> new LinkedHashMap<>())
                            .put(row.getString("status"), row.getLong("n"))))
        .chain(() -> client.preparedQuery(LIVE_EXECUTORS).execute(Tuple.of(array(pools), ts(now))))
        .map(
            rows -> {
              rows.forEach(
                  row ->
                      executors
                          .computeIfAbsent(row.getString("pool"), k -> new ArrayList<>())
                          .add(row.getString("executor_id")));
              Map<String, Holders> held = new TreeMap<>();
              for (String pool : pools) {
                Holders h =
                    new Holders(
                        attempts.getOrDefault(pool, Map.of()),
                        executors.getOrDefault(pool, List.of()));
                if (!h.none()) {
                  held.put(pool, h);
                }
              }
              return held;
            });
  }

  private static String[] array(Collection<String> values) {
    return values.toArray(String[]::new);
  }
}
