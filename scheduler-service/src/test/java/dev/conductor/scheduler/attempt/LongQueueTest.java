package dev.conductor.scheduler.attempt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conductor.scheduler.dispatch.Cause;
import dev.conductor.scheduler.dispatch.Dispatcher;
import dev.conductor.scheduler.support.Api;
import dev.conductor.scheduler.support.Events;
import dev.conductor.scheduler.support.Runs;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Multi;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A hundred thousand waiting attempts behind a hundred thousand finished ones: a drain dispatches
 * exactly the room its pool has, in FIFO order, and reads the queue only as far as that; once the
 * pool is paused and its queue marked, the drain the sweeper repeats reads none of it. Read work is
 * counted in PostgreSQL's own terms (rows and pages of the plan that runs), never timed: the
 * benchmark measures speed.
 */
@QuarkusTest
class LongQueueTest {
  private static final String POOL = "queue";
  private static final int WAITING = 100_000;
  private static final int SLOTS = 4;
  private static final Duration DB = Duration.ofSeconds(60);

  @Inject Dispatcher dispatcher;
  @Inject Pool db;

  @Test
  void aDrainReadsOnlyTheHeadOfALongQueueAndNoneOfAPausedOne() throws Exception {
    String runId = Runs.newRunId();
    try {
      aLongQueue(runId);
    } finally {
      // Leaves the pool as it found it, so the test can run again on the same database.
      sql("UPDATE pools SET paused = false WHERE name = $1", POOL);
      sql(
          "UPDATE attempts SET status = 'failed', finished_at = now() WHERE run_id = $1"
              + " AND status IN ('waiting', 'scheduled')",
          runId);
    }
  }

  private void aLongQueue(String runId) throws Exception {
    fillQueue(runId);
    Api.registerExecutor(POOL, "exec-queue", SLOTS);

    db.withTransaction(tx -> dispatcher.drain(tx, POOL, new Cause(null, runId, null, null)))
        .await()
        .atMost(DB);

    // Room is capacity plus the dispatch window (1.0 × capacity). Registering may have drained
    // already; either way the queue ends the same.
    List<Row> dispatched =
        rows(
            "SELECT step FROM attempts WHERE run_id = $1 AND status = 'scheduled' ORDER BY seq",
            runId);
    assertThat(dispatched).extracting(r -> r.getString("step")).containsExactly(steps(1, 8));
    assertThat(
            count("SELECT count(*) FROM attempts WHERE run_id = $1 AND status = 'waiting'", runId))
        .isEqualTo(WAITING - 8);
    // Only the new head of the queue was told why it waits; nobody behind it was written.
    assertThat(
            count(
                "SELECT count(*) FROM attempts WHERE run_id = $1 AND wait_reason = 'capacity'",
                runId))
        .isEqualTo(1);

    JsonNode plan = explain(AttemptStore.WAITING, Tuple.of(POOL, 9));
    assertThat(plan.toString()).doesNotContain("Seq Scan", "\"Sort\"");
    assertThat(plan.get("Actual Rows").asLong()).isEqualTo(9);
    // Neither the finished attempts ahead of the queue nor the queue behind its head are read:
    // the whole table is thousands of pages, this a few.
    assertThat(removedByFilter(plan)).isLessThan(100);
    assertThat(plan.get("Shared Hit Blocks").asLong() + plan.get("Shared Read Blocks").asLong())
        .isLessThan(40);

    // Paused, the pool dispatches nothing and its queue waits for "paused", as the first drain
    // after the pause leaves it (stored here directly: that drain announces each of them)...
    inTransaction(
        new Statement("UPDATE pools SET paused = true WHERE name = $1", POOL),
        new Statement(
            "UPDATE attempts SET wait_reason = 'paused' WHERE pool = $1 AND status = 'waiting'",
            POOL));
    // As autovacuum does after an update of that size: the planner sees the queue marked.
    db.query("ANALYZE attempts").execute().await().atMost(DB);
    // ...and the drain the sweeper repeats every second reads none of it again.
    JsonNode pause = explain(AttemptStore.PAUSE_WAITING, Tuple.of(POOL));
    assertThat(pause.toString()).doesNotContain("Seq Scan");
    assertThat(removedByFilter(pause)).isLessThan(100);
  }

  private static long removedByFilter(JsonNode node) {
    long removed = node.path("Rows Removed by Filter").asLong(0);
    for (JsonNode child : node.path("Plans")) {
      removed += removedByFilter(child);
    }
    return removed;
  }

  /**
   * One run with {@link #WAITING} steps, each with a waiting attempt in FIFO order of its step: the
   * first through the intake (the pool has no executor yet, so it waits), the rest stored beside it
   * as the intake stores them.
   */
  private void fillQueue(String runId) {
    storeHistory();
    Runs.requestRun(runId, POOL, List.of(Runs.step("s1", "smallrc", 0)));
    await()
        .atMost(Events.WAIT)
        .until(
            () ->
                count(
                        "SELECT count(*) FROM attempts WHERE run_id = $1 AND status = 'waiting'",
                        runId)
                    == 1);
    inTransaction(
        new Statement(
            "INSERT INTO steps (run_id, name, position, depends_on, definition, slots,"
                + " max_retries, status)"
                + " SELECT s.run_id, 's' || i, i, s.depends_on,"
                + " jsonb_set(s.definition, '{name}', to_jsonb('s' || i)), s.slots,"
                + " s.max_retries, s.status"
                + " FROM steps s, generate_series(2, $2) AS i"
                + " WHERE s.run_id = $1 AND s.name = 's1'",
            runId,
            WAITING),
        new Statement(
            "INSERT INTO attempts (id, run_id, step, number, pool, slots, status, wait_reason,"
                + " created_at)"
                + " SELECT gen_random_uuid(), $1, 's' || i, 1, $2, 1, 'waiting', 'queue', now()"
                + " FROM generate_series(2, $3) AS i ORDER BY i",
            runId,
            POOL,
            WAITING));
    // As autovacuum would after such an insert: the planner sees the table as it is.
    db.query("ANALYZE attempts").execute().await().atMost(DB);
  }

  /**
   * A hundred thousand finished attempts of the same pool, older than the queue: what a pool
   * accumulates over months, and what a read that walked attempts in creation order would cross.
   */
  private void storeHistory() {
    String runId = Runs.newRunId();
    inTransaction(
        new Statement(
            "INSERT INTO runs (id, status, requested_at) VALUES ($1, 'succeeded', now())", runId),
        new Statement(
            "INSERT INTO steps (run_id, name, position, depends_on, definition, slots,"
                + " max_retries, status)"
                + " SELECT $1, 'h' || i, i, '{}', '{}'::jsonb, 1, 0, 'succeeded'"
                + " FROM generate_series(1, $2) AS i",
            runId,
            WAITING),
        new Statement(
            "INSERT INTO attempts (id, run_id, step, number, pool, slots, status, created_at,"
                + " finished_at)"
                + " SELECT gen_random_uuid(), $1, 'h' || i, 1, $2, 1, 'succeeded', now(), now()"
                + " FROM generate_series(1, $3) AS i ORDER BY i",
            runId,
            POOL,
            WAITING));
  }

  private static String[] steps(int from, int to) {
    List<String> names = new ArrayList<>();
    for (int i = from; i <= to; i++) {
      names.add("s" + i);
    }
    return names.toArray(String[]::new);
  }

  private List<Row> rows(String sql, Object... params) {
    List<Row> rows = new ArrayList<>();
    db.preparedQuery(sql).execute(Tuple.from(params)).await().atMost(DB).forEach(rows::add);
    return rows;
  }

  private long count(String sql, Object... params) {
    return rows(sql, params).get(0).getLong(0);
  }

  /** One statement and its parameters, for {@link #inTransaction}. */
  private record Statement(String sql, Object... params) {}

  /** Runs the statements in order, in one transaction. */
  private void inTransaction(Statement... statements) {
    db.withTransaction(
            tx ->
                Multi.createFrom()
                    .items(statements)
                    .onItem()
                    .transformToUniAndConcatenate(
                        s -> tx.preparedQuery(s.sql()).execute(Tuple.from(s.params())))
                    .collect()
                    .last()
                    .replaceWithVoid())
        .await()
        .atMost(DB);
  }

  private void sql(String sql, Object... params) {
    db.preparedQuery(sql).execute(Tuple.from(params)).await().atMost(DB);
  }

  /** The executed plan's top node, with actual rows and buffers. */
  private JsonNode explain(String sql, Tuple params) throws Exception {
    Row row =
        db.preparedQuery("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
            .execute(params)
            .await()
            .atMost(DB)
            .iterator()
            .next();
    return new ObjectMapper().readTree(row.getValue(0).toString()).get(0).get("Plan");
  }
}
