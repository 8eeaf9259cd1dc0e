package dev.conductor.scheduler.config;

import static dev.conductor.scheduler.support.Events.awaitData;
import static dev.conductor.scheduler.support.Runs.report;
import static dev.conductor.scheduler.support.Runs.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conductor.events.EventType;
import dev.conductor.events.data.JobScheduled;
import dev.conductor.events.data.JobWaiting;
import dev.conductor.events.data.RunQueued;
import dev.conductor.events.data.RunRejected;
import dev.conductor.events.data.RunSucceeded;
import dev.conductor.platform.db.Transactions;
import dev.conductor.platform.db.section.SectionBootstrap;
import dev.conductor.scheduler.pool.PoolConfig;
import dev.conductor.scheduler.pool.Pools;
import dev.conductor.scheduler.slot.ResourceClasses;
import dev.conductor.scheduler.support.Api;
import dev.conductor.scheduler.support.Config;
import dev.conductor.scheduler.support.Events;
import dev.conductor.scheduler.support.Runs;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Decisions that must not trust this instance's copy of the sections: what another instance changed
 * a moment ago (simulated by writing the rows without bumping the section version, so that our copy
 * never follows) is read from the database where it matters. Also the section locks, which must not
 * be the outbox relay's per-key locks.
 */
@QuarkusTest
class StaleCopyTest {
  private static final Duration DB = Duration.ofSeconds(10);

  @Inject Transactions transactions;
  @Inject Pools pools;
  @Inject ResourceClasses classes;
  @Inject SectionBootstrap bootstrap;
  @Inject PoolsSection poolsSection;

  private void sql(String statement, Object... args) {
    transactions.pool().preparedQuery(statement).execute(Tuple.from(args)).await().atMost(DB);
  }

  private static void addPool(String pool, Map<String, Object> config) {
    Map<String, Object> doc = Config.get("pools");
    doc.put(pool, config);
    Config.put(Config.operator(), "pools", doc, false).statusCode(200);
  }

  @Test
  void aSectionPutDoesNotWaitForTheOutboxRelaysLockOnTheEventKey() throws Exception {
    // What the relay holds while Kafka acknowledges a config/<section> event.
    SqlConnection other = transactions.pool().getConnection().await().atMost(DB);
    Transaction tx = other.begin().await().atMost(DB);
    try {
      for (String key : List.of("config/pools", "config/bootstrap")) {
        other
            .preparedQuery("SELECT pg_advisory_xact_lock(hashtext($1))")
            .execute(Tuple.of(key))
            .await()
            .atMost(DB);
      }
      String pool = Config.provisionedPool("lock-");
      CompletableFuture.runAsync(() -> addPool(pool, Map.of())).get(15, TimeUnit.SECONDS);
      assertThat(Config.get("pools")).containsKey(pool);
      CompletableFuture.runAsync(() -> bootstrap.start(null)).get(15, TimeUnit.SECONDS);
    } finally {
      tx.rollback().await().atMost(DB);
      other.close().await().atMost(DB);
    }
  }

  @Test
  void aPoolAnotherInstanceJustAddedTakesRunsAndExecutors() {
    String pool = Config.provisionedPool("stale-new-");
    sql("INSERT INTO pools (name, paused) VALUES ($1, false)", pool);
    assertThat(pools.known(pool)).isFalse();

    // Capacity 0: nothing is granted (the pool has no topics, as no PUT created them here).
    Api.registerExecutor(pool, "exec-stale", 0);
    String runId = Runs.newRunId();
    Runs.requestRun(runId, pool, List.of(step("a", "smallrc", 0)));
    assertThat(awaitData(runId, EventType.RUN_QUEUED, RunQueued.class, 1).get(0).pool())
        .isEqualTo(pool);
    assertThat(awaitData(runId, EventType.JOB_WAITING, JobWaiting.class, 1).get(0).reason())
        .isEqualTo("capacity");
    assertThat(Events.of(runId, EventType.RUN_REJECTED)).isEmpty();
  }

  @Test
  void aClassAnotherInstanceJustAddedIsAccepted() {
    String pool = Config.provisionedPool("stale-rc-");
    addPool(pool, Map.of());
    String rc = Config.uniqueName("stalerc-");
    sql("INSERT INTO resource_classes (name, slots) VALUES ($1, 3)", rc);
    try {
      assertThat(classes.slots(rc)).isEmpty();
      String runId = Runs.newRunId();
      Runs.requestRun(runId, pool, List.of(step("a", rc, 0)));
      awaitData(runId, EventType.RUN_QUEUED, RunQueued.class, 1);
      JobWaiting waiting = awaitData(runId, EventType.JOB_WAITING, JobWaiting.class, 1).get(0);
      assertThat(waiting.numbers()).containsEntry("needed", 3L);

      // A class unknown in the database too is still rejected.
      String unknown = Runs.newRunId();
      Runs.requestRun(unknown, pool, List.of(step("a", "nosuchrc", 0)));
      assertThat(awaitData(unknown, EventType.RUN_REJECTED, RunRejected.class, 1).get(0).reason())
          .isEqualTo("unknown-resource-class");
    } finally {
      sql("DELETE FROM resource_classes WHERE name = $1", rc);
    }
  }

  @Test
  void aPoolAnotherInstanceJustRetiredRefusesExecutorsAndRuns() {
    String pool = Config.provisionedPool("stale-gone-");
    addPool(pool, Map.of());
    sql("UPDATE pools SET retired_at = now() WHERE name = $1", pool);
    assertThat(pools.known(pool)).isTrue();

    Api.as(Api.principalWith("pool.register", "/pools/" + pool))
        .body(Map.of("slots", 1))
        .put("/api/v1/pools/{pool}/executors/{id}", pool, "exec-gone")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
    assertThat(
            transactions
                .pool()
                .preparedQuery("SELECT count(*) AS n FROM executors WHERE pool = $1")
                .execute(Tuple.of(pool))
                .await()
                .atMost(DB)
                .iterator()
                .next()
                .getLong("n"))
        .isZero();
    String runId = Runs.newRunId();
    Runs.requestRun(runId, pool, List.of(step("a", "smallrc", 0)));
    assertThat(awaitData(runId, EventType.RUN_REJECTED, RunRejected.class, 1).get(0).reason())
        .isEqualTo("unknown-pool");
  }

  @Test
  void aPoolPausedInTheDatabaseGrantsNothingWhateverOurCopySays() {
    String pool = Config.provisionedPool("stale-pause-");
    addPool(pool, Map.of());
    sql("UPDATE pools SET paused = true WHERE name = $1", pool);
    assertThat(pools.paused(pool)).isFalse();

    Api.registerExecutor(pool, "exec-pause", 2);
    String runId = Runs.newRunId();
    Runs.requestRun(runId, pool, List.of(step("a", "smallrc", 0)));
    JobWaiting waiting = awaitData(runId, EventType.JOB_WAITING, JobWaiting.class, 1).get(0);
    assertThat(waiting.reason()).isEqualTo("paused");
    assertThat(waiting.numbers()).containsEntry("capacity", 2L);
    assertThat(Events.of(runId, EventType.JOB_SCHEDULED)).isEmpty();

    // The stored section says paused: resuming it through the API grants at once.
    addPool(pool, Map.of("paused", false));
    JobScheduled job = awaitData(runId, EventType.JOB_SCHEDULED, JobScheduled.class, 1).get(0);
    Api.claimed(job, "exec-pause");
    report(Runs.succeeded(job));
    awaitData(runId, EventType.RUN_SUCCEEDED, RunSucceeded.class, 1);
  }

  @Test
  void invalidSettingsStopTheStartNamingTheSetting() {
    Map<String, JsonNode> bad = Map.of("Bad_Pool", PoolsSection.item(new PoolConfig(false, null)));
    assertThatThrownBy(
            () ->
                SectionBootstrap.validated(transactions.pool(), poolsSection, bad)
                    .await()
                    .atMost(DB))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("conductor.scheduler.pools")
        .hasMessageContaining("/Bad_Pool");
    Map<String, JsonNode> settings = poolsSection.initial().orElseThrow();
    assertThat(
            SectionBootstrap.validated(transactions.pool(), poolsSection, settings)
                .await()
                .atMost(DB))
        .isEqualTo(settings);
  }

  @Test
  void anUpgradedDatabaseKeepsItsPoolsInTheFirstVersion() {
    String legacy = Config.uniqueName("legacy-");
    sql("INSERT INTO pools (name, paused, description) VALUES ($1, true, 'old')", legacy);
    try {
      Map<String, JsonNode> first =
          poolsSection.firstVersion(transactions.pool()).await().atMost(DB);
      assertThat(first).containsKeys(legacy, "dev", "lifecycle");
      assertThat(first.get(legacy).get("paused").booleanValue()).isTrue();
      assertThat(first.get(legacy).get("description").textValue()).isEqualTo("old");
    } finally {
      sql("UPDATE pools SET retired_at = now() WHERE name = $1", legacy);
    }
  }
}
