package dev.conductor.scheduler.slot;

import static dev.conductor.scheduler.support.Events.awaitData;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conductor.events.EventType;
import dev.conductor.events.data.JobScheduled;
import dev.conductor.events.data.Requester;
import dev.conductor.scheduler.attempt.AttemptRow;
import dev.conductor.scheduler.attempt.AttemptStore;
import dev.conductor.scheduler.claim.Claims;
import dev.conductor.scheduler.dispatch.Cause;
import dev.conductor.scheduler.dispatch.Dispatcher;
import dev.conductor.scheduler.run.RunRow;
import dev.conductor.scheduler.run.RunStore;
import dev.conductor.scheduler.run.StepRow;
import dev.conductor.scheduler.support.Runs;
import dev.conductor.scheduler.support.TestClock;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two scheduler instances on one database, modelled as two separate connection pools: claims racing
 * for the same executors' slots never take more than an executor declared (so never more than the
 * pool's capacity), at any commit or inside any take, and the counters end where they began; racing
 * drains dispatch every attempt once and never past capacity plus the window.
 */
@QuarkusTest
class SlotLedgerConcurrencyTest {
  private static final Duration LIMIT = Duration.ofSeconds(90);

  @Inject Vertx vertx;
  @Inject SlotLedger ledger;
  @Inject Dispatcher dispatcher;
  @Inject RunStore runs;
  @Inject AttemptStore attempts;
  @Inject TestClock clock;
  @Inject Claims claims;

  @ConfigProperty(name = "quarkus.datasource.reactive.url")
  String url;

  @ConfigProperty(name = "quarkus.datasource.username")
  String user;

  @ConfigProperty(name = "quarkus.datasource.password")
  String password;

  private Pool instanceA;
  private Pool instanceB;

  private Pool connect() {
    PgConnectOptions options =
        PgConnectOptions.fromUri(url)
            .setUser(user)
            .setPassword(password)
            .setProperties(Map.of("search_path", "scheduler"));
    return Pool.newInstance(
        PgBuilder.pool()
            .with(new PoolOptions().setMaxSize(4))
            .connectingTo(options)
            .using(vertx.getDelegate())
            .build());
  }

  @BeforeEach
  void connectTwoInstances() {
    instanceA = connect();
    instanceB = connect();
  }

  @AfterEach
  void close() {
    instanceA.close().await().atMost(LIMIT);
    instanceB.close().await().atMost(LIMIT);
  }

  /** Slots of the pool's attempts dispatched and not yet claimed, as committed. */
  private long committedDispatched(String pool) {
    return instanceA
        .preparedQuery(
            "SELECT COALESCE(SUM(slots), 0) AS n FROM attempts"
                + " WHERE pool = $1 AND status = 'scheduled'")
        .execute(Tuple.of(pool))
        .map(rows -> rows.iterator().next().getLong("n"))
        .await()
        .atMost(LIMIT);
  }

  private void declareCapacity(String pool, int... executorSlots) {
    Instant now = clock.instant();
    instanceA
        .withTransaction(
            tx -> {
              Uni<Void> chain = Uni.createFrom().voidItem();
              for (int i = 0; i < executorSlots.length; i++) {
                String executor = pool + "-exec-" + i;
                int slots = executorSlots[i];
                chain =
                    chain.chain(
                        () ->
                            ledger
                                .register(tx, pool, executor, slots, now.plusSeconds(3600), now)
                                .replaceWithVoid());
              }
              return chain;
            })
        .await()
        .atMost(LIMIT);
  }

  /** Thrown to retry an acquisition that found the pool full. */
  private static final class Full extends RuntimeException {
    Full() {
      super(null, null, false, false);
    }
  }

  @Test
  void racingClaimsNeverTakeMoreThanAnExecutorDeclared() {
    String pool = "ledger";
    int[] declared = {3, 4};
    declareCapacity(pool, declared);
    Random random = new Random(42);
    LongAccumulator maxCommittedOnA = new LongAccumulator(Math::max, 0);
    LongAccumulator maxCommittedOnB = new LongAccumulator(Math::max, 0);
    LongAccumulator maxCommittedInPool = new LongAccumulator(Math::max, 0);
    AtomicInteger granted = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    int workers = 24;
    int cyclesPerWorker = 10;
    int[][] costs = new int[workers][cyclesPerWorker];
    for (int[] worker : costs) {
      for (int k = 0; k < cyclesPerWorker; k++) {
        worker[k] = 1 + random.nextInt(3);
      }
    }

    // Each worker claims slots on one of the two executors, checks the committed use from the
    // other instance, gives them back, and again; a worker that finds it full retries.
    Multi.createFrom()
        .range(0, workers)
        .onItem()
        .transformToUniAndMerge(
            w -> {
              Pool instance = w % 2 == 0 ? instanceA : instanceB;
              Pool other = w % 2 == 0 ? instanceB : instanceA;
              String executor = pool + "-exec-" + (w / 2 % 2);
              return Multi.createFrom()
                  .range(0, cyclesPerWorker)
                  .onItem()
                  .transformToUniAndConcatenate(
                      k -> {
                        UUID attempt = UUID.randomUUID();
                        return Uni.createFrom()
                            .deferred(
                                () ->
                                    instance.withTransaction(
                                        tx ->
                                            ledger.take(
                                                tx,
                                                pool,
                                                executor,
                                                attempt,
                                                costs[w][k],
                                                clock.instant())))
                            .invoke(
                                taken -> {
                                  if (!taken) {
                                    refused.incrementAndGet();
                                    throw new Full();
                                  }
                                  granted.incrementAndGet();
                                })
                            .onFailure(Full.class)
                            .retry()
                            .withBackOff(Duration.ofMillis(1), Duration.ofMillis(20))
                            .atMost(10_000)
                            .chain(() -> committedUseOf(other, pool))
                            .invoke(
                                use -> {
                                  maxCommittedOnA.accumulate(
                                      use.getOrDefault(pool + "-exec-0", 0L));
                                  maxCommittedOnB.accumulate(
                                      use.getOrDefault(pool + "-exec-1", 0L));
                                  maxCommittedInPool.accumulate(
                                      use.values().stream().mapToLong(Long::longValue).sum());
                                })
                            .chain(
                                () ->
                                    other.withTransaction(
                                        tx -> ledger.releaseAll(tx, List.of(attempt))));
                      })
                  .collect()
                  .last();
            })
        .collect()
        .asList()
        .await()
        .atMost(LIMIT);

    assertThat(granted.get()).isEqualTo(workers * cyclesPerWorker);
    assertThat(refused.get()).as("contention: some claims found the executor full").isPositive();
    assertThat(maxCommittedOnA.get()).isLessThanOrEqualTo(declared[0]);
    assertThat(maxCommittedOnB.get()).isLessThanOrEqualTo(declared[1]);
    assertThat(maxCommittedInPool.get()).isLessThanOrEqualTo(declared[0] + declared[1]);
    assertThat(committedUseOf(instanceA, pool).await().atMost(LIMIT)).isEmpty();
    assertThat(counters(pool)).as("each executor's counter is back to zero").containsOnly(0L);
  }

  @Test
  void anExecutorWhoseRegistrationLapsedTakesNoSlot() {
    String pool = "ledger";
    Instant now = clock.instant();
    instanceA
        .withTransaction(tx -> ledger.register(tx, pool, "lapsed", 4, now.minusSeconds(1), now))
        .await()
        .atMost(LIMIT);
    boolean taken =
        instanceA
            .withTransaction(tx -> ledger.take(tx, pool, "lapsed", UUID.randomUUID(), 1, now))
            .await()
            .atMost(LIMIT);
    assertThat(taken).isFalse();
    boolean unknown =
        instanceA
            .withTransaction(tx -> ledger.take(tx, pool, "never-seen", UUID.randomUUID(), 1, now))
            .await()
            .atMost(LIMIT);
    assertThat(unknown).isFalse();
  }

  /**
   * Slots held per executor of the pool, as committed (leases), executors holding none left out.
   */
  private static Uni<Map<String, Long>> committedUseOf(Pool instance, String pool) {
    return instance
        .preparedQuery(
            "SELECT executor_id, SUM(slots) AS used FROM slot_leases WHERE pool = $1"
                + " GROUP BY executor_id")
        .execute(Tuple.of(pool))
        .map(
            rows -> {
              Map<String, Long> use = new java.util.HashMap<>();
              rows.forEach(row -> use.put(row.getString("executor_id"), row.getLong("used")));
              return use;
            });
  }

  private List<Long> counters(String pool) {
    return instanceA
        .preparedQuery("SELECT used FROM executors WHERE pool = $1")
        .execute(Tuple.of(pool))
        .map(
            rows -> {
              List<Long> used = new ArrayList<>();
              rows.forEach(row -> used.add(row.getLong("used")));
              return used;
            })
        .await()
        .atMost(LIMIT);
  }

  @Test
  void racingDispatchersScheduleEveryAttemptOnceWithinCapacity() {
    String pool = "race";
    long capacity = 5;
    long window = 5; // the default dispatch window: 1.0 × capacity
    declareCapacity(pool, 2, 3);
    String runId = "race-" + UUID.randomUUID();
    int stepCount = 30;
    Random random = new Random(7);
    List<StepRow> steps = new ArrayList<>();
    for (int i = 0; i < stepCount; i++) {
      String rc = List.of("smallrc", "mediumrc", "smallrc").get(random.nextInt(3));
      steps.add(
          new StepRow(
              runId,
              "s" + i,
              i,
              List.of(),
              Runs.step("s" + i, rc, 0),
              rc.equals("smallrc") ? 1 : 2,
              0,
              StepRow.PENDING));
    }
    insertRun(pool, runId, steps);

    LongAccumulator maxInDrain = new LongAccumulator(Math::max, 0);
    LongAccumulator maxCommitted = new LongAccumulator(Math::max, 0);
    for (int round = 0; round < 200 && waiting(runId) > 0; round++) {
      List<Uni<Void>> racers = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        Pool instance = i % 2 == 0 ? instanceA : instanceB;
        racers.add(
            instance
                .withTransaction(
                    tx ->
                        dispatcher
                            .drain(tx, pool, Cause.none())
                            .chain(() -> ledger.usage(tx, pool, clock.instant()))
                            .invoke(u -> maxInDrain.accumulate(u.used() + u.dispatched())))
                .replaceWithVoid());
      }
      racers.add(finishScheduled(instanceB, runId));
      Uni.join().all(racers).andFailFast().await().atMost(LIMIT);
      maxCommitted.accumulate(committedDispatched(pool));
    }

    assertThat(waiting(runId)).isZero();
    assertThat(maxInDrain.get()).isLessThanOrEqualTo(capacity + window);
    assertThat(maxCommitted.get()).isLessThanOrEqualTo(capacity + window);
    List<JobScheduled> jobs =
        awaitData(runId, EventType.JOB_SCHEDULED, JobScheduled.class, stepCount);
    Set<String> attemptIds = jobs.stream().map(JobScheduled::attemptId).collect(Collectors.toSet());
    assertThat(jobs).hasSize(stepCount);
    assertThat(attemptIds).hasSize(stepCount);
  }

  private long waiting(String runId) {
    return instanceA
        .preparedQuery(
            "SELECT count(*) AS n FROM attempts WHERE run_id = $1 AND status = 'waiting'")
        .execute(Tuple.of(runId))
        .map(rows -> rows.iterator().next().getLong("n"))
        .await()
        .atMost(LIMIT);
  }

  /** Ends every dispatched attempt of the run, freeing the window, as executors finishing would. */
  private Uni<Void> finishScheduled(Pool instance, String runId) {
    return instance.withTransaction(
        tx ->
            tx.preparedQuery("SELECT id FROM attempts WHERE run_id = $1 AND status = 'scheduled'")
                .execute(Tuple.of(runId))
                .chain(
                    rows -> {
                      Uni<Void> chain = Uni.createFrom().voidItem();
                      for (var row : rows) {
                        UUID id = row.getUUID("id");
                        chain =
                            chain
                                .chain(
                                    () ->
                                        attempts.end(
                                            tx,
                                            id,
                                            List.of(AttemptRow.SCHEDULED),
                                            AttemptRow.SUCCEEDED,
                                            null,
                                            clock.instant()))
                                .replaceWithVoid();
                      }
                      return chain;
                    }));
  }

  /** Stores a queued run of {@code steps} in {@code pool} and opens an attempt for each step. */
  private void insertRun(String pool, String runId, List<StepRow> steps) {
    RunRow run =
        new RunRow(
            runId,
            Runs.WORKSPACE,
            "race",
            1,
            pool,
            RunRow.QUEUED,
            null,
            null,
            null,
            "etl-bot",
            new Requester("https://issuer.example", "alice", List.of()),
            Map.of(),
            null,
            clock.instant(),
            null,
            null);
    instanceA
        .withTransaction(
            tx -> {
              Uni<Void> chain =
                  runs.insertAll(tx, List.of(run), java.util.Collections.singletonList(null))
                      .chain(() -> runs.insertSteps(tx, steps));
              for (StepRow step : steps) {
                chain = chain.chain(() -> dispatcher.open(tx, step, pool, 1)).replaceWithVoid();
              }
              return chain;
            })
        .await()
        .atMost(LIMIT);
  }

  private static List<StepRow> smallSteps(String runId, int count) {
    List<StepRow> steps = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      steps.add(
          new StepRow(
              runId,
              "s" + i,
              i,
              List.of(),
              Runs.step("s" + i, "smallrc", 0),
              1,
              0,
              StepRow.PENDING));
    }
    return steps;
  }

  /** The attempt ids of a run's dispatched attempts, by step position. */
  private List<UUID> dispatched(String runId) {
    return instanceA
        .preparedQuery(
            "SELECT a.id FROM attempts a JOIN steps s ON s.run_id = a.run_id AND s.name = a.step"
                + " WHERE a.run_id = $1 AND a.status = 'scheduled' ORDER BY s.position")
        .execute(Tuple.of(runId))
        .map(
            rows -> {
              List<UUID> ids = new ArrayList<>();
              rows.forEach(row -> ids.add(row.getUUID("id")));
              return ids;
            })
        .await()
        .atMost(LIMIT);
  }

  /**
   * An outcome transaction that has locked one lease releases all of its executor's ended attempts,
   * while a claim of that executor gives the same ones back (the executor said they ended). Both
   * lock leases in attempt id order, then the executor's counter: the claim waits at the first
   * lease and goes on once the outcome commits. Had the claim taken them in another order, it would
   * hold leases the outcome needs while waiting for the one the outcome holds: PostgreSQL would
   * abort one of them as a deadlock (it did, with leases taken per outcome).
   */
  @Test
  void aClaimGivingBackLeasesAnOutcomeIsReleasingWaitsForItInsteadOfDeadlocking() {
    String pool = "locks";
    String executor = pool + "-exec-0";
    declareCapacity(pool, 64);
    String done = "locks-done-" + UUID.randomUUID();
    String next = "locks-next-" + UUID.randomUUID();
    insertRun(pool, done, smallSteps(done, 20));
    insertRun(pool, next, smallSteps(next, 1));
    instanceA.withTransaction(tx -> dispatcher.drain(tx, pool, Cause.none())).await().atMost(LIMIT);
    List<UUID> ending = dispatched(done);
    UUID claiming = dispatched(next).get(0);
    assertThat(ending).hasSize(20);
    for (UUID id : ending) {
      assertThat(claim(instanceA, id, executor, List.of())).isInstanceOf(Claims.Granted.class);
    }
    UUID lowest =
        instanceA
            .preparedQuery(
                "SELECT attempt_id AS id FROM slot_leases WHERE attempt_id = ANY($1)"
                    + " ORDER BY attempt_id LIMIT 1")
            .execute(Tuple.of(ending.toArray(UUID[]::new)))
            .map(rows -> rows.iterator().next().getUUID("id"))
            .await()
            .atMost(LIMIT);

    SqlConnection outcome = instanceA.getConnection().await().atMost(LIMIT);
    try {
      Transaction tx = outcome.begin().await().atMost(LIMIT);
      outcome
          .preparedQuery("SELECT attempt_id FROM slot_leases WHERE attempt_id = $1 FOR UPDATE")
          .execute(Tuple.of(lowest))
          .await()
          .atMost(LIMIT);
      List<UUID> reversed = new ArrayList<>(ending);
      java.util.Collections.reverse(reversed);
      var answer =
          instanceB
              .withTransaction(t -> claims.claim(t, claiming, 1, executor, reversed))
              .subscribeAsCompletionStage();
      await().atMost(Duration.ofSeconds(30)).until(() -> waitingOnALock(instanceA) >= 1);
      ledger.releaseAll(outcome, ending).await().atMost(LIMIT);
      tx.commit().await().atMost(LIMIT);
      assertThat(answer.toCompletableFuture().join()).isInstanceOf(Claims.Granted.class);
    } finally {
      outcome.close().await().atMost(LIMIT);
    }
    // Every slot went back exactly once: the counter is the one lease left, the new claim's.
    assertThat(counters(pool)).containsExactly(1L);
    assertThat(committedUseOf(instanceA, pool).await().atMost(LIMIT))
        .containsExactly(Map.entry(executor, 1L));
  }

  private Claims.Answer claim(Pool instance, UUID id, String executor, List<UUID> ended) {
    return instance
        .withTransaction(tx -> claims.claim(tx, id, 1, executor, ended))
        .await()
        .atMost(LIMIT);
  }

  private static int waitingOnALock(Pool instance) {
    return instance
        .query(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                + " AND query LIKE '%slot_leases%'")
        .execute()
        .map(rows -> rows.iterator().next().getInteger("n"))
        .await()
        .atMost(LIMIT);
  }
}
