package dev.conductor.scheduler.slot;

import static dev.conductor.scheduler.Sql.ts;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * The PostgreSQL slot ledger (row locks and upserts; the config sections' advisory locks live in
 * {@code config.SectionVersions}). A grant happens only while the transaction holds the pool's row
 * lock ({@link #lock}), so grants in one pool are serialized across every scheduler instance
 * sharing the database and a pool is never over its capacity. Capacity is the sum of slots of
 * executors whose registration lease is live.
 */
@ApplicationScoped
public class SlotLedger {
  // NO KEY UPDATE, not UPDATE: it serializes grants just the same, but does not conflict with the
  // KEY SHARE lock that inserting an attempt or a slot lease takes on the pool row through their
  // foreign keys. With FOR UPDATE, two transactions of one pool that had each inserted an attempt
  // deadlocked when both then asked for the grant lock (PostgreSQL aborted one after a second).
  private static final String LOCK =
      "SELECT paused, retired_at IS NOT NULL AS retired FROM pools WHERE name = $1"
          + " FOR NO KEY UPDATE";
  private static final String USAGE =
      "SELECT (SELECT COALESCE(SUM(slots), 0) FROM executors"
          + "        WHERE pool = $1 AND lease_expires_at > $2) AS capacity,"
          + "     (SELECT COALESCE(SUM(slots), 0) FROM slot_leases WHERE pool = $1) AS used";
  private static final String GRANT =
      "INSERT INTO slot_leases (attempt_id, pool, slots, acquired_at) VALUES ($1, $2, $3, $4)";
  private static final String RELEASE =
      "DELETE FROM slot_leases WHERE attempt_id = $1 RETURNING pool, slots";
  private static final String REGISTER =
      "INSERT INTO executors (pool, executor_id, slots, lease_expires_at, registered_at)"
          + " VALUES ($1, $2, $3, $4, $5)"
          + " ON CONFLICT (pool, executor_id)"
          + " DO UPDATE SET slots = EXCLUDED.slots, lease_expires_at = EXCLUDED.lease_expires_at";

  /** The pool row as read under its lock: what grants, intake and registration decide on. */
  public record PoolState(boolean paused, boolean retired) {}

  /**
   * Locks the pool row until the transaction ends; every grant must happen under this lock. Returns
   * whether the pool is paused and retired, read under the lock so that no instance grants in a
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

  /** Capacity and use as of now; exact only under {@link #lock}. */
  public Uni<Usage> usage(SqlConnection tx, String pool, Instant now) {
    return tx.preparedQuery(USAGE)
        .execute(Tuple.of(pool, ts(now)))
        .map(
            rows -> {
              Row row = rows.iterator().next();
              return new Usage(row.getLong("capacity"), row.getLong("used"));
            });
  }

  /** Records a lease of {@code slots}; the caller holds the lock and checked {@link Usage#fits}. */
  public Uni<Void> grant(SqlConnection tx, String pool, UUID attemptId, int slots, Instant now) {
    return tx.preparedQuery(GRANT)
        .execute(Tuple.of(attemptId, pool, slots, ts(now)))
        .replaceWithVoid();
  }

  /**
   * Locks the pool and grants {@code slots} if they fit (and it is not paused): the whole
   * check-and-take in one call. Returns the usage after the grant, or empty when refused.
   */
  public Uni<Optional<Usage>> tryAcquire(
      SqlConnection tx, String pool, UUID attemptId, int slots, Instant now) {
    return lock(tx, pool)
        .chain(state -> usage(tx, pool, now).map(usage -> state.paused() ? null : usage))
        .chain(
            usage ->
                usage != null && usage.fits(slots)
                    ? grant(tx, pool, attemptId, slots, now)
                        .replaceWith(Optional.of(usage.plus(slots)))
                    : Uni.createFrom().item(Optional.<Usage>empty()));
  }

  /** Frees the attempt's slots; returns how many it held (0 when it held none). */
  public Uni<Integer> release(SqlConnection tx, UUID attemptId) {
    return tx.preparedQuery(RELEASE)
        .execute(Tuple.of(attemptId))
        .map(rows -> rows.rowCount() == 0 ? 0 : rows.iterator().next().getInteger("slots"));
  }

  /** Creates or renews an executor's registration until {@code leaseUntil}. */
  public Uni<Void> register(
      SqlConnection tx,
      String pool,
      String executorId,
      int slots,
      Instant leaseUntil,
      Instant now) {
    return tx.preparedQuery(REGISTER)
        .execute(Tuple.of(pool, executorId, slots, ts(leaseUntil), ts(now)))
        .replaceWithVoid();
  }
}
