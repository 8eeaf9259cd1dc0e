package dev.conductor.scheduler.slot;

import static dev.conductor.scheduler.Sql.ts;

import dev.conductor.scheduler.Settings;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The PostgreSQL slot ledger (DESIGN §6). A slot is taken when an executor claims an attempt and
 * given back at the attempt's outcome: {@link #take} is one guarded UPDATE of the claiming
 * executor's counter ({@code executors.used}), so no executor holds more than the slots it declared
 * and no pool (capacity = the sum over live executors) runs more than its capacity, across every
 * scheduler instance sharing the database. Dispatch takes no slot; drains serialize on the pool's
 * row lock ({@link #lock}) only to keep the dispatch window and the FIFO order.
 */
@ApplicationScoped
public class SlotLedger {
  // NO KEY UPDATE, not UPDATE: it serializes drains just the same, but does not conflict with the
  // KEY SHARE lock that inserting an attempt or a slot lease takes on the pool row through their
  // foreign keys. With FOR UPDATE, two transactions of one pool that had each inserted an attempt
  // deadlocked when both then asked for the drain lock (PostgreSQL aborted one after a second).
  private static final String LOCK =
      """
      SELECT paused, retired_at IS NOT NULL AS retired FROM pools WHERE name = $1
      FOR NO KEY UPDATE
      """;
  // As LOCK for several pools, locked in name order (the sort happens below the row locks; "C" is
  // the order of Java's String.compareTo, which AtCommit's drains follow), so two transactions
  // that lock the same pools never wait on each other in a circle.
  private static final String LOCK_ALL =
      """
      SELECT name, paused, retired_at IS NOT NULL AS retired FROM pools WHERE name = ANY($1)
      ORDER BY name COLLATE \"C\" FOR NO KEY UPDATE
      """;
  // Held slots count on every executor, live or not: the attempts of an executor whose
  // registration lapsed still hold theirs until their own lease expires.
  private static final String USAGE =
      """
      SELECT live.capacity, live.largest,
          (SELECT COALESCE(SUM(used), 0) FROM executors WHERE pool = $1) AS used,
          (SELECT COALESCE(SUM(slots), 0) FROM attempts
             WHERE pool = $1 AND status = 'scheduled') AS dispatched
      FROM (SELECT COALESCE(SUM(slots), 0) AS capacity, COALESCE(MAX(slots), 0) AS largest
            FROM executors WHERE pool = $1 AND lease_expires_at > $2) live
      """;
  // Takes slots on the claiming executor's counter for attempts $3 (slots $6 each, $4 in all),
  // all of them or none: a live registration, room for them, the pool not paused.
  private static final String TAKE_ALL =
      """
      WITH taken AS (
      UPDATE executors SET used = used + $4::int
      WHERE pool = $1 AND executor_id = $2 AND lease_expires_at > $5
      AND used + $4::int <= slots
      AND NOT EXISTS (SELECT 1 FROM pools WHERE name = $1 AND paused)
      RETURNING pool)
      INSERT INTO slot_leases (attempt_id, pool, executor_id, slots, acquired_at)
      SELECT l.id, taken.pool, $2, l.slots, $5
      FROM taken, unnest($3::uuid[], $6::int[]) AS l(id, slots)
      """;
  // Leases are locked in attempt id order (the locking subquery sorts), then the counters: every
  // transaction that releases several takes them in one order. GREATEST: a counter never goes
  // negative, even for a lease from before counters existed.
  private static final String RELEASE_ALL =
      """
      WITH freed AS (DELETE FROM slot_leases WHERE attempt_id IN (SELECT attempt_id FROM
      slot_leases WHERE attempt_id = ANY($1) ORDER BY attempt_id FOR UPDATE)
      RETURNING pool, executor_id, slots),
      per AS (SELECT pool, executor_id, SUM(slots) AS slots FROM freed
      GROUP BY pool, executor_id)
      UPDATE executors e SET used = GREATEST(e.used - per.slots, 0) FROM per
      WHERE e.pool = per.pool AND e.executor_id = per.executor_id RETURNING per.slots
      """;
  // As RELEASE_ALL, for one executor's own leases: in attempt id order, then its counter.
  private static final String RELEASE_ENDED =
      """
      WITH freed AS (DELETE FROM slot_leases WHERE attempt_id IN (SELECT attempt_id FROM
      slot_leases WHERE attempt_id = ANY($3) AND pool = $1 AND executor_id = $2
      ORDER BY attempt_id FOR UPDATE) RETURNING slots)
      UPDATE executors SET used = GREATEST(used - (SELECT SUM(slots) FROM freed), 0)
      WHERE pool = $1 AND executor_id = $2 AND EXISTS (SELECT 1 FROM freed)
      """;
  // The CTE reads the row as it was before the statement: whether this changes the capacity.
  private static final String REGISTER =
      """
      WITH before AS (SELECT slots, lease_expires_at FROM executors
      WHERE pool = $1 AND executor_id = $2)
      INSERT INTO executors (pool, executor_id, slots, lease_expires_at, registered_at)
      SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM pools WHERE name = $1)
      ON CONFLICT (pool, executor_id)
      DO UPDATE SET slots = EXCLUDED.slots, lease_expires_at = EXCLUDED.lease_expires_at
      RETURNING (SELECT slots <> $3 OR lease_expires_at <= $5 FROM before) AS renewed_other
      """;

  private final double window;

  public SlotLedger(Settings settings) {
    this.window = settings.dispatchWindow();
  }

  /** The pool row as read under its lock: what drains, intake and registration decide on. */
  public record PoolState(boolean paused, boolean retired) {}

  /**
   * Locks the pool row until the transaction ends; every drain happens under this lock. Returns
   * whether the pool is paused and retired, read under the lock so that no instance dispatches in a
   * paused pool (or accepts work for a retired one) however stale its copy of the configuration.
   *
   * @throws IllegalStateException when the pool has no row
   */
  public Uni<PoolState> lock(SqlConnection tx, String pool) {
    return lockIfExists(tx, pool)
        .map(
            state ->
                state.orElseThrow(
                    () -> new IllegalStateException("pool " + pool + " has no ledger row")));
  }

  /** As {@link #lock}; empty (and nothing locked) when the pool has no row. */
  public Uni<Optional<PoolState>> lockIfExists(SqlConnection tx, String pool) {
    return tx.preparedQuery(LOCK)
        .execute(Tuple.of(pool))
        .map(
            rows -> {
              if (rows.rowCount() == 0) {
                return Optional.<PoolState>empty();
              }
              Row row = rows.iterator().next();
              return Optional.of(
                  new PoolState(row.getBoolean("paused"), row.getBoolean("retired")));
            });
  }

  /**
   * As {@link #lockIfExists} for several pools in one statement; pools without a row are absent.
   */
  public Uni<Map<String, PoolState>> lockAllIfExist(SqlConnection tx, Collection<String> pools) {
    return tx.preparedQuery(LOCK_ALL)
        .execute(Tuple.of(pools.toArray(String[]::new)))
        .map(
            rows -> {
              Map<String, PoolState> states = new HashMap<>();
              for (Row row : rows) {
                states.put(
                    row.getString("name"),
                    new PoolState(row.getBoolean("paused"), row.getBoolean("retired")));
              }
              return states;
            });
  }

  /**
   * Capacity, held and dispatched slots as of now, and the dispatch window: one statement whose
   * cost grows with the pool's executors and its dispatch window, never with its queue.
   */
  public Uni<Usage> usage(SqlClient client, String pool, Instant now) {
    return client
        .preparedQuery(USAGE)
        .execute(Tuple.of(pool, ts(now)))
        .map(
            rows -> {
              Row row = rows.iterator().next();
              long capacity = row.getLong("capacity");
              return new Usage(
                  capacity,
                  row.getLong("used"),
                  row.getLong("dispatched"),
                  (long) Math.ceil(capacity * window),
                  row.getLong("largest"));
            });
  }

  /**
   * Takes {@code slots} on the claiming executor for the attempt, if its registration is live, it
   * has them free and the pool is not paused; false (and nothing changed) otherwise.
   */
  public Uni<Boolean> take(
      SqlConnection tx, String pool, String executorId, UUID attemptId, int slots, Instant now) {
    return takeAll(tx, pool, executorId, List.of(attemptId), List.of(slots), now);
  }

  /**
   * As {@link #take} for several attempts of one claim together: all of them get their slots, or
   * none does (false, nothing changed). One statement, one update of the executor's counter.
   */
  public Uni<Boolean> takeAll(
      SqlConnection tx,
      String pool,
      String executorId,
      List<UUID> attemptIds,
      List<Integer> slots,
      Instant now) {
    int total = slots.stream().mapToInt(Integer::intValue).sum();
    return tx.preparedQuery(TAKE_ALL)
        .execute(
            Tuple.of(
                pool,
                executorId,
                attemptIds.toArray(UUID[]::new),
                total,
                ts(now),
                slots.toArray(Integer[]::new)))
        .map(rows -> rows.rowCount() == attemptIds.size());
  }

  /**
   * Ends the leases of these attempts (those that hold one) and gives their slots back to their
   * executors' counters, in one statement: leases locked in attempt id order, counters after them.
   * Returns how many slots went back.
   */
  public Uni<Integer> releaseAll(SqlConnection tx, List<UUID> attemptIds) {
    return tx.preparedQuery(RELEASE_ALL)
        .execute(Tuple.of(attemptIds.toArray(UUID[]::new)))
        .map(
            rows -> {
              int slots = 0;
              for (Row row : rows) {
                slots += row.getInteger("slots");
              }
              return slots;
            });
  }

  /**
   * Gives back the slots of attempts that the executor says ended (their outcomes published, not
   * necessarily read here yet); only leases that executor holds in that pool. One statement.
   */
  public Uni<Void> releaseEnded(
      SqlConnection tx, String pool, String executorId, List<UUID> attemptIds) {
    if (attemptIds.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return tx.preparedQuery(RELEASE_ENDED)
        .execute(Tuple.of(pool, executorId, attemptIds.toArray(UUID[]::new)))
        .replaceWithVoid();
  }

  /**
   * Creates or renews an executor's registration until {@code leaseUntil}; nothing for a pool
   * without a row (the caller's pool lock then finds none and refuses). Returns whether the pool's
   * capacity may have changed: a new executor, other slots, or a registration that had lapsed; a
   * plain renewal of a live one changes nothing.
   */
  public Uni<Boolean> register(
      SqlConnection tx,
      String pool,
      String executorId,
      int slots,
      Instant leaseUntil,
      Instant now) {
    return tx.preparedQuery(REGISTER)
        .execute(Tuple.of(pool, executorId, slots, ts(leaseUntil), ts(now)))
        .map(
            rows -> {
              if (rows.rowCount() == 0) {
                return true;
              }
              Boolean changed = rows.iterator().next().getBoolean("renewed_other");
              return changed == null || changed;
            });
  }
}
