package dev.conductor.scheduler.attempt;

import static dev.conductor.scheduler.Sql.instant;
import static dev.conductor.scheduler.Sql.ts;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Attempts in the {@code scheduler} schema. Each transition is one UPDATE guarded by the statuses
 * it may start from, so it happens at most once however often its cause is delivered.
 */
@ApplicationScoped
public class AttemptStore {
  private static final String COLUMNS =
      "id, run_id, step, number, pool, slots, status, wait_reason, executor_id, deadline,"
          + " lease_expires_at, detail, dispatch";
  // The same columns of table alias a, for statements that join another relation with an id.
  private static final String PREFIXED = "a." + COLUMNS.replace(", ", ", a.");

  /**
   * A new attempt, waiting its turn ({@code queue}) until a drain dispatches it or says why not.
   */
  public Uni<Void> insert(
      SqlConnection tx,
      UUID id,
      String runId,
      String step,
      int number,
      String pool,
      int slots,
      Instant now) {
    return tx.preparedQuery(
            """
            INSERT INTO attempts (id, run_id, step, number, pool, slots, status, wait_reason,
            created_at)
            VALUES ($1, $2, $3, $4, $5, $6, 'waiting', 'queue', $7)
            """)
        .execute(Tuple.from(Arrays.asList(id, runId, step, number, pool, slots, ts(now))))
        .replaceWithVoid();
  }

  /** A new attempt to store: its id, step, number, pool and slot cost. */
  public record New(UUID id, String runId, String step, int number, String pool, int slots) {}

  /**
   * As {@link #insert} for many attempts in one statement; they take their FIFO place ({@code seq})
   * in list order.
   */
  public Uni<Void> insertAll(SqlConnection tx, List<New> attempts, Instant now) {
    int n = attempts.size();
    UUID[] id = new UUID[n];
    String[] runId = new String[n];
    String[] step = new String[n];
    Integer[] number = new Integer[n];
    String[] pool = new String[n];
    Integer[] slots = new Integer[n];
    for (int i = 0; i < n; i++) {
      New a = attempts.get(i);
      id[i] = a.id();
      runId[i] = a.runId();
      step[i] = a.step();
      number[i] = a.number();
      pool[i] = a.pool();
      slots[i] = a.slots();
    }
    return tx.preparedQuery(
            """
            INSERT INTO attempts (id, run_id, step, number, pool, slots, status, wait_reason,
            created_at)
            SELECT id, run, step, num, pool, slots, 'waiting', 'queue', $7
            FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[],
            $6::int[]) WITH ORDINALITY AS a(id, run, step, num, pool, slots, n) ORDER BY n
            """)
        .execute(Tuple.from(new Object[] {id, runId, step, number, pool, slots, ts(now)}))
        .replaceWithVoid();
  }

  public Uni<Optional<AttemptRow>> find(SqlClient client, UUID id) {
    return client
        .preparedQuery("SELECT " + COLUMNS + " FROM attempts WHERE id = $1")
        .execute(Tuple.of(id))
        .map(AttemptStore::first);
  }

  // The head of a pool's queue: the partial index attempts_waiting (pool, seq) hands the rows over
  // in order, so a read stops after $2 however long the queue is (LongQueueTest).
  static final String WAITING =
      "SELECT "
          + COLUMNS
          + " FROM attempts WHERE pool = $1 AND status = 'waiting' ORDER BY seq LIMIT $2";

  /** The waiting attempts of a pool in FIFO order (creation). */
  public Uni<List<AttemptRow>> waiting(SqlConnection tx, String pool, int limit) {
    return tx.preparedQuery(WAITING).execute(Tuple.of(pool, limit)).map(AttemptStore::all);
  }

  /**
   * waiting → scheduled, for many attempts in one statement: dispatched to their pool, to be
   * claimed by {@code claimBy}, each to run for at most {@code timeoutSeconds[i]} from its claim.
   * Returns the new dispatch number of each attempt that was still waiting.
   */
  public Uni<Map<UUID, Integer>> scheduleAll(
      SqlConnection tx, List<UUID> ids, List<Integer> timeoutSeconds, Instant claimBy) {
    return tx.preparedQuery(
            """
            UPDATE attempts a SET status = 'scheduled', wait_reason = NULL,
            dispatch = a.dispatch + 1, claim_by = $3, timeout_seconds = t.timeout
            FROM unnest($1::uuid[], $2::int[]) AS t(id, timeout)
            WHERE a.id = t.id AND a.status = 'waiting' RETURNING a.id, a.dispatch
            """)
        .execute(
            Tuple.of(ids.toArray(UUID[]::new), timeoutSeconds.toArray(Integer[]::new), ts(claimBy)))
        .map(
            rows -> {
              Map<UUID, Integer> dispatched = new HashMap<>();
              rows.forEach(row -> dispatched.put(row.getUUID("id"), row.getInteger("dispatch")));
              return dispatched;
            });
  }

  /** Records why an attempt waits; true only when the reason changed (then it is announced). */
  public Uni<Boolean> waitFor(SqlConnection tx, UUID id, String reason) {
    return tx.preparedQuery(
            """
            UPDATE attempts SET wait_reason = $2 WHERE id = $1 AND status = 'waiting'
            AND wait_reason IS DISTINCT FROM $2
            """)
        .execute(Tuple.of(id, reason))
        .map(rows -> rows.rowCount() == 1);
  }

  // The partial index attempts_unpaused holds exactly the rows this changes: the sweeper's drain of
  // a paused pool, every second, reads none of its queue once that queue waits for "paused".
  static final String PAUSE_WAITING =
      "UPDATE attempts SET wait_reason = 'paused' WHERE pool = $1 AND status = 'waiting'"
          + " AND wait_reason IS DISTINCT FROM 'paused' RETURNING "
          + COLUMNS;

  /**
   * In a paused pool: every waiting attempt not yet waiting for {@code paused} now does, in one
   * statement; returns only the attempts whose reason changed (those are announced).
   */
  public Uni<List<AttemptRow>> pauseWaiting(SqlConnection tx, String pool) {
    return tx.preparedQuery(PAUSE_WAITING).execute(Tuple.of(pool)).map(AttemptStore::all);
  }

  /**
   * scheduled → claimed by one executor, for the dispatch it names: its slot, lease and deadline
   * start now. Empty when it was not claimable (someone else won, or the dispatch is stale).
   */
  public Uni<Optional<AttemptRow>> claim(
      SqlConnection tx, UUID id, int dispatch, String executorId, Instant now, Instant leaseUntil) {
    return tx.preparedQuery(
            "UPDATE attempts SET status = 'claimed', executor_id = $3, lease_expires_at = $5,"
                + " slot_start = $4::timestamptz, claim_by = NULL,"
                + " deadline = $4::timestamptz + make_interval(secs => timeout_seconds)"
                + " WHERE id = $1 AND status = 'scheduled' AND dispatch = $2 RETURNING "
                + COLUMNS)
        .execute(Tuple.of(id, dispatch, executorId, ts(now), ts(leaseUntil)))
        .map(AttemptStore::first);
  }

  /**
   * As {@link #claim}, for many attempts of {@code pool} in one statement (an executor's batch):
   * each scheduled attempt whose dispatch matches becomes claimed by {@code executorId}, its lease
   * and deadline starting now. The rows are locked in attempt id order, as every transaction that
   * locks several attempts does. Returns the claimed attempts by id; the others were not claimable.
   */
  public Uni<Map<UUID, AttemptRow>> claimAll(
      SqlConnection tx,
      String pool,
      List<UUID> ids,
      List<Integer> dispatches,
      String executorId,
      Instant now,
      Instant leaseUntil) {
    return tx.preparedQuery(
            "UPDATE attempts a SET status = 'claimed', executor_id = $4, lease_expires_at = $6,"
                + " slot_start = $5::timestamptz, claim_by = NULL,"
                + " deadline = $5::timestamptz + make_interval(secs => a.timeout_seconds)"
                + " FROM unnest($2::uuid[], $3::int[]) AS t(id, dispatch)"
                + " WHERE a.id = t.id AND a.status = 'scheduled' AND a.dispatch = t.dispatch"
                + " AND a.id IN (SELECT id FROM attempts WHERE id = ANY($2) AND pool = $1"
                + " AND status = 'scheduled' ORDER BY id FOR UPDATE) RETURNING "
                + PREFIXED)
        .execute(
            Tuple.of(
                pool,
                ids.toArray(UUID[]::new),
                dispatches.toArray(Integer[]::new),
                executorId,
                ts(now),
                ts(leaseUntil)))
        .map(
            rows -> {
              Map<UUID, AttemptRow> claimed = new HashMap<>();
              rows.forEach(row -> claimed.put(row.getUUID("id"), attempt(row)));
              return claimed;
            });
  }

  /** The attempts with these ids that exist, by id (one statement). */
  public Uni<Map<UUID, AttemptRow>> findAll(SqlClient client, List<UUID> ids) {
    return client
        .preparedQuery("SELECT " + COLUMNS + " FROM attempts WHERE id = ANY($1)")
        .execute(Tuple.of(ids.toArray(UUID[]::new)))
        .map(
            rows -> {
              Map<UUID, AttemptRow> found = new HashMap<>();
              rows.forEach(row -> found.put(row.getUUID("id"), attempt(row)));
              return found;
            });
  }

  /**
   * claimed → waiting: the claim found no free slot, so the attempt goes back to the queue (in its
   * old place: the queue is ordered by creation) and the next drain dispatches it again.
   */
  public Uni<Boolean> requeue(SqlConnection tx, UUID id, String reason) {
    return tx.preparedQuery(
            """
            UPDATE attempts SET status = 'waiting', wait_reason = $2, executor_id = NULL,
            lease_expires_at = NULL, slot_start = NULL, deadline = NULL, claim_by = NULL
            WHERE id = $1 AND status = 'claimed'
            """)
        .execute(Tuple.of(id, reason))
        .map(rows -> rows.rowCount() == 1);
  }

  /**
   * Dispatches nobody claimed by their {@code claim_by} go back to the queue, in one statement;
   * returns them (each will be dispatched again, with new credentials).
   */
  public Uni<List<AttemptRow>> requeueUnclaimed(SqlConnection tx, Instant now, int limit) {
    return tx.preparedQuery(
            "UPDATE attempts SET status = 'waiting', wait_reason = 'queue', claim_by = NULL"
                + " WHERE id IN (SELECT id FROM attempts WHERE status = 'scheduled'"
                + " AND claim_by < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)"
                + " AND status = 'scheduled' RETURNING "
                + COLUMNS)
        .execute(Tuple.of(ts(now), limit))
        .map(AttemptStore::all);
  }

  /**
   * As {@link #start} for a poll's started attempts in one statement, their rows locked in id
   * order; {@code executorIds[i]} belongs to {@code ids[i]} (null keeps the claim's). Returns the
   * attempts that moved; the others were not claimed (a duplicate, late or unknown report).
   */
  public Uni<List<AttemptRow>> startAll(
      SqlConnection tx, List<UUID> ids, List<String> executorIds, Instant leaseUntil) {
    return tx.preparedQuery(
            "UPDATE attempts a SET status = 'running',"
                + " executor_id = COALESCE(t.executor, a.executor_id), lease_expires_at = $3"
                + " FROM unnest($1::uuid[], $2::text[]) AS t(id, executor)"
                + " WHERE a.id = t.id AND a.status = 'claimed'"
                + " AND a.id IN (SELECT id FROM attempts WHERE id = ANY($1) AND status = 'claimed'"
                + " ORDER BY id FOR UPDATE) RETURNING "
                + PREFIXED)
        .execute(
            Tuple.of(ids.toArray(UUID[]::new), executorIds.toArray(String[]::new), ts(leaseUntil)))
        .map(AttemptStore::all);
  }

  /** claimed → running, with a fresh lease (an attempt runs only on a slot its claim took). */
  public Uni<Optional<AttemptRow>> start(
      SqlConnection tx, UUID id, String executorId, Instant leaseUntil) {
    return tx.preparedQuery(
            "UPDATE attempts SET status = 'running', executor_id = COALESCE($2, executor_id),"
                + " lease_expires_at = $3 WHERE id = $1 AND status = 'claimed'"
                + " RETURNING "
                + COLUMNS)
        .execute(Tuple.from(Arrays.asList(id, executorId, ts(leaseUntil))))
        .map(AttemptStore::first);
  }

  /** Extends the lease of a live attempt; false when it is not claimed or running. */
  public Uni<Boolean> extend(SqlConnection tx, UUID id, Instant leaseUntil) {
    return tx.preparedQuery(
            """
            UPDATE attempts SET lease_expires_at = GREATEST(lease_expires_at, $2)
            WHERE id = $1 AND status IN ('claimed', 'running')
            """)
        .execute(Tuple.of(id, ts(leaseUntil)))
        .map(rows -> rows.rowCount() == 1);
  }

  /** Ends an attempt that is in one of {@code from}; empty when it was not (already ended). */
  public Uni<Optional<AttemptRow>> end(
      SqlConnection tx, UUID id, List<String> from, String status, String detail, Instant now) {
    return tx.preparedQuery(
            "UPDATE attempts SET status = $2, detail = $3, finished_at = $4"
                + " WHERE id = $1 AND status = ANY($5) RETURNING "
                + COLUMNS)
        .execute(
            Tuple.from(Arrays.asList(id, status, detail, ts(now), from.toArray(String[]::new))))
        .map(AttemptStore::first);
  }

  /**
   * As {@link #end} for many attempts with the same ending, in one statement, their rows locked in
   * id order; returns those that were in one of {@code from} and ended now.
   */
  public Uni<List<AttemptRow>> endAll(
      SqlConnection tx,
      List<UUID> ids,
      List<String> from,
      String status,
      String detail,
      Instant now) {
    return tx.preparedQuery(
            "UPDATE attempts SET status = $2, detail = $3, finished_at = $4"
                + " WHERE id IN (SELECT id FROM attempts WHERE id = ANY($1) AND status = ANY($5)"
                + " ORDER BY id FOR UPDATE) AND status = ANY($5) RETURNING "
                + COLUMNS)
        .execute(
            Tuple.from(
                Arrays.asList(
                    ids.toArray(UUID[]::new),
                    status,
                    detail,
                    ts(now),
                    from.toArray(String[]::new))))
        .map(AttemptStore::all);
  }

  /**
   * Declares a claimed or running attempt lost, at {@code now}, if its lease passed before {@code
   * horizon} (how far the executors' reports have been read); the condition is re-checked so a late
   * heartbeat wins.
   */
  public Uni<Optional<AttemptRow>> expire(SqlConnection tx, UUID id, Instant horizon, Instant now) {
    return tx.preparedQuery(
            "UPDATE attempts SET status = 'lost', finished_at = $3,"
                + " detail = 'lease expired without heartbeat'"
                + " WHERE id = $1 AND status IN ('claimed', 'running') AND lease_expires_at < $2"
                + " RETURNING "
                + COLUMNS)
        .execute(Tuple.of(id, ts(horizon), ts(now)))
        .map(AttemptStore::first);
  }

  /** Claimed or running attempts whose lease passed before {@code now}. */
  public Uni<List<UUID>> expired(SqlClient client, Instant now, int limit) {
    return client
        .preparedQuery(
            """
            SELECT id FROM attempts WHERE status IN ('claimed', 'running') AND
            lease_expires_at < $1 LIMIT $2
            """)
        .execute(Tuple.of(ts(now), limit))
        .map(
            rows -> {
              List<UUID> ids = new ArrayList<>();
              rows.forEach(row -> ids.add(row.getUUID("id")));
              return ids;
            });
  }

  /** Attempts of an ended run that never reached an executor: they will not run. */
  public Uni<List<AttemptRow>> cancelUnclaimed(SqlConnection tx, String runId, Instant now) {
    return tx.preparedQuery(
            "UPDATE attempts SET status = 'cancelled', finished_at = $2, detail = 'run ended'"
                + " WHERE run_id = $1 AND status IN ('waiting', 'scheduled') RETURNING "
                + COLUMNS)
        .execute(Tuple.of(runId, ts(now)))
        .map(AttemptStore::all);
  }

  /** Pools with a waiting attempt: one index probe per pool, however long the queues. */
  public Uni<List<String>> poolsWithWaiting(SqlClient client) {
    return client
        .query(
            """
            SELECT name AS pool FROM pools p WHERE EXISTS
            (SELECT 1 FROM attempts a WHERE a.pool = p.name AND a.status = 'waiting')
            """)
        .execute()
        .map(
            rows -> {
              List<String> pools = new ArrayList<>();
              rows.forEach(row -> pools.add(row.getString("pool")));
              return pools;
            });
  }

  public Uni<Long> waitingCount(SqlClient client, String pool) {
    return client
        .preparedQuery("SELECT count(*) AS n FROM attempts WHERE pool = $1 AND status = 'waiting'")
        .execute(Tuple.of(pool))
        .map(rows -> rows.iterator().next().getLong("n"));
  }

  /** Per step of a run: how many attempts it had and the status of the latest. */
  public Uni<Map<String, StepAttempts>> perStep(SqlClient client, String runId) {
    return client
        .preparedQuery(
            """
            SELECT step, count(*) AS n, (array_agg(status ORDER BY number DESC))[1] AS latest
            FROM attempts WHERE run_id = $1 GROUP BY step
            """)
        .execute(Tuple.of(runId))
        .map(
            rows -> {
              Map<String, StepAttempts> result = new LinkedHashMap<>();
              rows.forEach(
                  row ->
                      result.put(
                          row.getString("step"),
                          new StepAttempts(row.getLong("n").intValue(), row.getString("latest"))));
              return result;
            });
  }

  /** How many attempts a step had and the status of its latest one. */
  public record StepAttempts(int count, String latestStatus) {}

  private static Optional<AttemptRow> first(RowSet<Row> rows) {
    return rows.rowCount() == 0 ? Optional.empty() : Optional.of(attempt(rows.iterator().next()));
  }

  private static List<AttemptRow> all(RowSet<Row> rows) {
    List<AttemptRow> attempts = new ArrayList<>();
    rows.forEach(row -> attempts.add(attempt(row)));
    return attempts;
  }

  private static AttemptRow attempt(Row row) {
    return new AttemptRow(
        row.getUUID("id"),
        row.getString("run_id"),
        row.getString("step"),
        row.getInteger("number"),
        row.getString("pool"),
        row.getInteger("slots"),
        row.getString("status"),
        row.getString("wait_reason"),
        row.getString("executor_id"),
        instant(row, "deadline"),
        instant(row, "lease_expires_at"),
        row.getString("detail"),
        row.getInteger("dispatch"));
  }
}
