package dev.conductor.scheduler.dispatch;

import static dev.conductor.scheduler.support.Events.awaitData;
import static dev.conductor.scheduler.support.Runs.report;
import static dev.conductor.scheduler.support.Runs.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conductor.events.EventType;
import dev.conductor.events.Topics;
import dev.conductor.events.data.AttemptFenced;
import dev.conductor.events.data.AttemptHeartbeat;
import dev.conductor.events.data.JobScheduled;
import dev.conductor.events.data.RunFailed;
import dev.conductor.events.data.RunSucceeded;
import dev.conductor.scheduler.support.Api;
import dev.conductor.scheduler.support.Events;
import dev.conductor.scheduler.support.Outboxes;
import dev.conductor.scheduler.support.Runs;
import dev.conductor.scheduler.support.TestClock;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Attempts whose executor goes silent are declared lost and retried; time moves, nobody sleeps. */
@QuarkusTest
class LeaseExpiryTest {
  private static final String POOL = "lease";

  @Inject TestClock clock;
  @Inject Sweeper sweeper;
  @Inject Pool db;

  private void sweep() {
    sweeper.sweep().await().atMost(Duration.ofSeconds(10));
  }

  private static void claim(JobScheduled job, int expectedStatus) {
    Api.claim(job, "exec-lease").then().statusCode(expectedStatus);
  }

  private static List<Map<String, Object>> steps(String runId) {
    return (List<Map<String, Object>>) Api.run(runId).get("steps");
  }

  @Test
  void aSilentAttemptIsLostRetriedAndFinallyFailsTheRun() {
    Api.registerExecutor(POOL, "exec-lease", 2);
    String runId = Runs.newRunId();
    Runs.requestRun(runId, POOL, List.of(step("a", "smallrc", 1)));
    JobScheduled first = awaitData(runId, EventType.JOB_SCHEDULED, JobScheduled.class, 1).get(0);
    claim(first, 200);
    report(Runs.started(first));
    await().atMost(Events.WAIT).until(() -> "running".equals(Api.run(runId).get("status")));

    clock.advance(Duration.ofSeconds(31));
    Api.registerExecutor(POOL, "exec-lease", 2); // its own registration lapsed too
    sweep();
    JobScheduled second = awaitData(runId, EventType.JOB_SCHEDULED, JobScheduled.class, 2).get(1);
    assertThat(second.attemptNumber()).isEqualTo(2);
    // The lost attempt is fenced, and says so (the broker revokes its credentials on this).
    AttemptFenced fenced =
        awaitData(runId, EventType.ATTEMPT_FENCED, AttemptFenced.class, 1).get(0);
    assertThat(fenced.attemptId()).isEqualTo(first.attemptId());
    assertThat(fenced.executorId()).as("the executor it last heard from").isEqualTo("exec-1");
    assertThat(fenced.reason()).isEqualTo("lease expired");
    claim(first, 409); // the lost attempt stays lost

    // A late report from the lost attempt changes nothing.
    report(Runs.succeeded(first));
    Events.barrier(Topics.JOB_EVENTS, runId);
    Outboxes.awaitPublished(db, runId);
    assertThat(Events.of(runId, EventType.RUN_SUCCEEDED)).isEmpty();

    // Heartbeats keep the second attempt alive past its first lease.
    claim(second, 200);
    clock.advance(Duration.ofSeconds(20));
    report(
        Events.event(
            EventType.ATTEMPT_HEARTBEAT,
            "executor-service",
            runId,
            new AttemptHeartbeat(runId, "a", second.attemptId(), "exec-lease", Instant.now())));
    Events.barrier(Topics.JOB_EVENTS, runId);
    clock.advance(Duration.ofSeconds(20));
    sweep();
    assertThat(steps(runId)).extracting(s -> s.get("status")).containsExactly("claimed");

    // Then it goes silent: no retries are left, the run fails as lost.
    clock.advance(Duration.ofSeconds(31));
    sweep();
    RunFailed failed = awaitData(runId, EventType.RUN_FAILED, RunFailed.class, 1).get(0);
    assertThat(failed.reason()).isEqualTo("lost");
    assertThat(failed.step()).isEqualTo("a");
    assertThat(steps(runId))
        .extracting(s -> s.get("status") + ":" + s.get("attempts"))
        .containsExactly("failed:2");
    assertThat(Api.pool(POOL)).containsEntry("used", 0);
  }

  @Test
  void aDispatchNobodyClaimsGoesBackToTheQueueWithoutUsingARetry() {
    Api.registerExecutor(POOL, "exec-lease", 2);
    String runId = Runs.newRunId();
    Runs.requestRun(runId, POOL, List.of(step("a", "smallrc", 0)));
    JobScheduled first = awaitData(runId, EventType.JOB_SCHEDULED, JobScheduled.class, 1).get(0);
    assertThat(first.dispatch()).isEqualTo(1);

    // The executor that got it died before claiming: past the claim window it goes out again,
    // the same attempt (no retry used: the step allows none), as dispatch 2.
    clock.advance(Duration.ofSeconds(61));
    Api.registerExecutor(POOL, "exec-lease", 2);
    sweep();
    JobScheduled again = awaitData(runId, EventType.JOB_SCHEDULED, JobScheduled.class, 2).get(1);
    assertThat(again.attemptId()).isEqualTo(first.attemptId());
    assertThat(again.attemptNumber()).isEqualTo(1);
    assertThat(again.dispatch()).isEqualTo(2);

    // The first dispatch's job, delivered late, cannot claim it; the second runs it.
    claim(first, 409);
    claim(again, 200);
    report(Runs.succeeded(again));
    awaitData(runId, EventType.RUN_SUCCEEDED, RunSucceeded.class, 1);
    assertThat(steps(runId))
        .extracting(s -> s.get("status") + ":" + s.get("attempts"))
        .containsExactly("succeeded:1");
  }
}
