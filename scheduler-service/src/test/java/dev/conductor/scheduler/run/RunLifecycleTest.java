package dev.conductor.scheduler.run;

import static dev.conductor.scheduler.support.Events.awaitData;
import static dev.conductor.scheduler.support.Runs.report;
import static dev.conductor.scheduler.support.Runs.scheduled;
import static dev.conductor.scheduler.support.Runs.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;

import dev.conductor.events.Envelope;
import dev.conductor.events.EventType;
import dev.conductor.events.Topics;
import dev.conductor.events.data.AttemptSucceeded;
import dev.conductor.events.data.AttemptTimedOut;
import dev.conductor.events.data.JobScheduled;
import dev.conductor.events.data.JobWaiting;
import dev.conductor.events.data.RunFailed;
import dev.conductor.events.data.RunQueued;
import dev.conductor.events.data.RunRejected;
import dev.conductor.events.data.RunRequested;
import dev.conductor.events.data.RunSucceeded;
import dev.conductor.events.data.StepSpec;
import dev.conductor.platform.trace.TraceContext;
import dev.conductor.scheduler.support.Api;
import dev.conductor.scheduler.support.Events;
import dev.conductor.scheduler.support.Runs;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Runs through Kafka: request → queued → scheduled → reports → run outcome. */
@QuarkusTest
class RunLifecycleTest {

  @Test
  void aDagRunsToSuccessWithParallelStepsFirst() {
    String pool = "lifecycle";
    Api.registerExecutor(pool, "exec-lifecycle", 4);
    String runId = Runs.newRunId();
    Envelope<RunRequested> request =
        Runs.requestRun(
            runId,
            pool,
            List.of(
                step("a", "smallrc", 0),
                step("b", "mediumrc", 0),
                step("c", "smallrc", 0, "a", "b")));

    List<JobScheduled> first = awaitData(runId, EventType.JOB_SCHEDULED, JobScheduled.class, 2);
    assertThat(first).extracting(JobScheduled::step).containsExactlyInAnyOrder("a", "b");
    RunQueued queued = Events.data(runId, EventType.RUN_QUEUED, RunQueued.class).get(0);
    assertThat(queued.pool()).isEqualTo(pool);

    JobScheduled a = scheduled(first, "a");
    assertThat(a.attemptNumber()).isEqualTo(1);
    assertThat(a.workspace()).isEqualTo(Runs.WORKSPACE);
    assertThat(a.pipeline()).isEqualTo("daily-sales");
    assertThat(a.pipelineVersion()).isEqualTo(3);
    assertThat(a.jobType()).isEqualTo("sql");
    assertThat(a.spec()).containsEntry("statement", "select 1");
    assertThat(a.parameters()).containsEntry("date", "2026-11-26");
    assertThat(a.dataAccess()).hasSize(1);
    assertThat(a.runAs()).isEqualTo("etl-bot");
    assertThat(a.requester().subject()).isEqualTo("alice");
    assertThat(a.pool()).isEqualTo(pool);
    assertThat(a.resourceClass()).isEqualTo("smallrc");
    assertThat(a.slots()).isEqualTo(1);
    assertThat(scheduled(first, "b").slots()).isEqualTo(2);
    assertThat(a.dispatch()).isEqualTo(1);
    // Dispatched, not yet claimed: the latest it may end is the claim window plus its timeout.
    assertThat(a.deadline()).isEqualTo(a.slotStart().plusSeconds(60 + 600));

    // Every event of the run is caused by the request and stays in its trace.
    Envelope<?> scheduledA =
        Events.of(runId, EventType.JOB_SCHEDULED).stream()
            .filter(e -> ((JobScheduled) e.data()).step().equals("a"))
            .findFirst()
            .orElseThrow();
    assertThat(scheduledA.causationId()).isEqualTo(request.id());
    assertThat(scheduledA.source()).isEqualTo("/conductor/scheduler-service");
    assertThat(TraceContext.traceId(Events.traceparentOf(scheduledA.id())))
        .isEqualTo(TraceContext.traceId(Events.traceparentOf(request.id())));

    assertThat(Api.run(runId)).containsEntry("status", "queued").containsEntry("environment", pool);
    // On their way to an executor, the jobs hold no slot; the claims take them.
    assertThat(Api.pool(pool))
        .containsEntry("used", 0)
        .containsEntry("dispatched", 3)
        .containsEntry("capacity", 4);
    Map<String, Object> claim =
        Api.claim(a, "exec-lifecycle").then().statusCode(200).extract().as(Map.class);
    // Both start at the claim: the deadline is its timeout (600 s) after it, the lease 30 s.
    Instant deadline = Instant.parse((String) claim.get("deadline"));
    Instant lease = Instant.parse((String) claim.get("leaseExpiresAt"));
    assertThat(java.time.Duration.between(lease, deadline)).hasSeconds(600 - 30);
    Api.claimed(scheduled(first, "b"), "exec-lifecycle");
    assertThat(Api.pool(pool)).containsEntry("used", 3).containsEntry("dispatched", 0);

    report(Runs.started(a));
    await().atMost(Events.WAIT).until(() -> "running".equals(Api.run(runId).get("status")));
    Envelope<AttemptSucceeded> aDone = Runs.succeeded(a);
    report(aDone);
    Envelope<AttemptSucceeded> bDone = Runs.succeeded(scheduled(first, "b"));
    report(bDone);

    List<JobScheduled> all = awaitData(runId, EventType.JOB_SCHEDULED, JobScheduled.class, 3);
    JobScheduled c = scheduled(all, "c");
    Envelope<?> scheduledC =
        Events.of(runId, EventType.JOB_SCHEDULED).stream()
            .filter(e -> ((JobScheduled) e.data()).step().equals("c"))
            .findFirst()
            .orElseThrow();
    // Caused by a dependency's outcome: b's, or a's when both arrive in one poll and the poll's
    // dependents are scheduled together (seen once in CI).
    assertThat(scheduledC.causationId()).isIn(aDone.id(), bDone.id());

    Api.claimed(c, "exec-lifecycle");
    report(Runs.succeeded(c));
    RunSucceeded done = awaitData(runId, EventType.RUN_SUCCEEDED, RunSucceeded.class, 1).get(0);
    assertThat(done.runId()).isEqualTo(runId);

    Map<String, Object> run = Api.run(runId);
    assertThat(run).containsEntry("status", "succeeded").containsEntry("workspace", Runs.WORKSPACE);
    assertThat((List<Map<String, Object>>) run.get("steps"))
        .extracting(s -> s.get("name") + ":" + s.get("status") + ":" + s.get("attempts"))
        .containsExactly("a:succeeded:1", "b:succeeded:1", "c:succeeded:1");
    assertThat(Api.pool(pool)).containsEntry("used", 0);
    assertThat(Events.of(runId, EventType.JOB_SCHEDULED)).hasSize(3);
  }

  @Test
  void aFailedStepFailsTheRunAndItsDependentsNeverStart() {
    String pool = "failing";
    Api.registerExecutor(pool, "exec-failing", 4);
    String runId = Runs.newRunId();
    Runs.requestRun(
        runId, pool, List.of(step("extract", "smallrc", 0), step("load", "smallrc", 0, "extract")));

    JobScheduled extract = awaitData(runId, EventType.JOB_SCHEDULED, JobScheduled.class, 1).get(0);
    Api.claimed(extract, "exec-failing");
    report(Runs.failed(extract, "relation sales does not exist"));

    RunFailed failed = awaitData(runId, EventType.RUN_FAILED, RunFailed.class, 1).get(0);
    assertThat(failed.reason()).isEqualTo("step-failed");
    assertThat(failed.step()).isEqualTo("extract");
    assertThat(failed.detail()).isEqualTo("relation sales does not exist");

    Map<String, Object> run = Api.run(runId);
    assertThat(run)
        .containsEntry("status", "failed")
        .containsEntry("reason", "step-failed")
        .containsEntry("failedStep", "extract");
    assertThat((List<Map<String, Object>>) run.get("steps"))
        .extracting(s -> s.get("name") + ":" + s.get("status"))
        .containsExactly("extract:failed", "load:cancelled");
    assertThat(Api.pool(pool)).containsEntry("used", 0);
  }

  @Test
  void aFailedAttemptIsRetriedUntilRetriesRunOut() {
    String pool = "failing";
    Api.registerExecutor(pool, "exec-retry", 4);
    String runId = Runs.newRunId();
    Runs.requestRun(runId, pool, List.of(step("flaky", "smallrc", 1)));

    JobScheduled first = awaitData(runId, EventType.JOB_SCHEDULED, JobScheduled.class, 1).get(0);
    Api.claimed(first, "exec-retry");
    report(Runs.failed(first, "connection reset"));

    JobScheduled second = awaitData(runId, EventType.JOB_SCHEDULED, JobScheduled.class, 2).get(1);
    assertThat(second.step()).isEqualTo("flaky");
    assertThat(second.attemptNumber()).isEqualTo(2);
    assertThat(second.attemptId()).isNotEqualTo(first.attemptId());
    Api.claimed(second, "exec-retry");

    report(
        Events.event(
            EventType.ATTEMPT_TIMED_OUT,
            "executor-service",
            runId,
            new AttemptTimedOut(runId, "flaky", second.attemptId(), "exec-1", Instant.now())));
    RunFailed failed = awaitData(runId, EventType.RUN_FAILED, RunFailed.class, 1).get(0);
    assertThat(failed.reason()).isEqualTo("step-failed");
    assertThat(failed.step()).isEqualTo("flaky");
    assertThat((List<Map<String, Object>>) Api.run(runId).get("steps"))
        .extracting(s -> s.get("status") + ":" + s.get("attempts"))
        .containsExactly("failed:2");
  }

  @Test
  void aDeniedJobFailsTheRunAndCancelsWhatWasNotClaimed() {
    String pool = "denied";
    Api.registerExecutor(pool, "exec-denied", 4);
    String runId = Runs.newRunId();
    Runs.requestRun(runId, pool, List.of(step("a", "mediumrc", 0), step("b", "mediumrc", 0)));

    List<JobScheduled> jobs = awaitData(runId, EventType.JOB_SCHEDULED, JobScheduled.class, 2);
    assertThat(Api.pool(pool)).containsEntry("used", 0).containsEntry("dispatched", 4);
    report(Runs.denied(scheduled(jobs, "a")));

    RunFailed failed = awaitData(runId, EventType.RUN_FAILED, RunFailed.class, 1).get(0);
    assertThat(failed.reason()).isEqualTo("denied");
    assertThat(failed.step()).isEqualTo("a");
    // b never reached an executor: it is cancelled with the run, and a late claim is refused.
    assertThat(Api.pool(pool)).containsEntry("used", 0).containsEntry("dispatched", 0);
    Api.claim(scheduled(jobs, "b"), "exec-denied")
        .then()
        .statusCode(409)
        .body("type", endsWith("/not-claimable"));
  }

  @Test
  void credentialFailureFailsTheRun() {
    String pool = "denied";
    Api.registerExecutor(pool, "exec-cred", 4);
    String runId = Runs.newRunId();
    Runs.requestRun(runId, pool, List.of(step("a", "smallrc", 0)));
    JobScheduled a = awaitData(runId, EventType.JOB_SCHEDULED, JobScheduled.class, 1).get(0);
    report(
        Events.event(
            EventType.JOB_CREDENTIAL_FAILED,
            "identity-broker",
            runId,
            new dev.conductor.events.data.JobCredentialFailed(
                runId, "a", a.attemptId(), "decision-2", "target database unreachable")));
    RunFailed failed = awaitData(runId, EventType.RUN_FAILED, RunFailed.class, 1).get(0);
    assertThat(failed.reason()).isEqualTo("credential-failed");
    assertThat(failed.detail()).contains("target database unreachable");
  }

  @Test
  void theClaimTakesTheSlotAndARefusedAttemptIsDispatchedAgain() {
    String pool = "capacity";
    Api.registerExecutor(pool, "exec-capacity", 1);
    String runId = Runs.newRunId();
    Runs.requestRun(
        runId,
        pool,
        List.of(step("a", "smallrc", 0), step("b", "smallrc", 0), step("c", "smallrc", 0)));

    // One slot and a window of one: two jobs go out, the third waits and says why.
    List<JobScheduled> out = awaitData(runId, EventType.JOB_SCHEDULED, JobScheduled.class, 2);
    JobWaiting waiting = awaitData(runId, EventType.JOB_WAITING, JobWaiting.class, 1).get(0);
    assertThat(out).extracting(JobScheduled::step).doesNotContain(waiting.step());
    assertThat(waiting.reason()).isEqualTo("capacity");
    assertThat(waiting.pool()).isEqualTo(pool);
    assertThat(waiting.numbers())
        .containsEntry("capacity", 1L)
        .containsEntry("used", 0L)
        .containsEntry("dispatched", 2L)
        .containsEntry("window", 1L)
        .containsEntry("needed", 1L);
    assertThat(Api.pool(pool))
        .containsEntry("waiting", 1)
        .containsEntry("used", 0)
        .containsEntry("dispatched", 2);

    // The first claim takes the only slot; the second is refused and its attempt requeued.
    JobScheduled first = out.get(0);
    JobScheduled second = out.get(1);
    Api.claimed(first, "exec-capacity");
    Api.claim(second, "exec-capacity")
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("type", endsWith("/no-capacity"));

    // Dispatched again within a second or so (the sweeper's drain), as dispatch 2; the first
    // dispatch's job can no longer claim it.
    JobScheduled again =
        awaitScheduled(runId, j -> j.attemptId().equals(second.attemptId()) && j.dispatch() == 2);
    assertThat(again.attemptNumber()).isEqualTo(1);
    Api.claim(second, "exec-capacity")
        .then()
        .statusCode(409)
        .body("type", endsWith("/not-claimable"))
        .body("detail", containsString("at dispatch 2"));
    assertThat(Api.pool(pool)).containsEntry("used", 1).containsEntry("dispatched", 1);

    // Once the slot is free, every step runs in turn on it.
    report(Runs.succeeded(first));
    awaitSlotFree(pool);
    Api.claimed(again, "exec-capacity");
    report(Runs.succeeded(again));
    awaitSlotFree(pool);
    JobScheduled last = awaitScheduled(runId, j -> j.step().equals(waiting.step()));
    Api.claimed(last, "exec-capacity");
    report(Runs.succeeded(last));
    awaitData(runId, EventType.RUN_SUCCEEDED, RunSucceeded.class, 1);
    assertThat(Api.pool(pool)).containsEntry("used", 0).containsEntry("dispatched", 0);
  }

  private static JobScheduled awaitScheduled(String runId, Predicate<JobScheduled> which) {
    return await()
        .atMost(Events.WAIT)
        .until(
            () ->
                Events.data(runId, EventType.JOB_SCHEDULED, JobScheduled.class).stream()
                    .filter(which)
                    .findFirst(),
            Optional::isPresent)
        .orElseThrow();
  }

  private static void awaitSlotFree(String pool) {
    await().atMost(Events.WAIT).until(() -> Integer.valueOf(0).equals(Api.pool(pool).get("used")));
  }

  @Test
  void anInvalidRequestIsRejectedWithItsReason() {
    String runId = Runs.newRunId();
    Runs.requestRun(
        runId, "lifecycle", List.of(step("a", "smallrc", 0, "b"), step("b", "smallrc", 0, "a")));
    RunRejected rejected = awaitData(runId, EventType.RUN_REJECTED, RunRejected.class, 1).get(0);
    assertThat(rejected.reason()).isEqualTo("cycle");
    assertThat(rejected.detail()).contains("dependency cycle: a -> b -> a");
    assertThat(Api.run(runId)).containsEntry("status", "rejected").containsEntry("reason", "cycle");
    assertThat(Events.of(runId, EventType.RUN_QUEUED)).isEmpty();

    String unknownPool = Runs.newRunId();
    Runs.requestRun(unknownPool, "staging", List.of(step("a", "smallrc", 0)));
    assertThat(awaitData(unknownPool, EventType.RUN_REJECTED, RunRejected.class, 1).get(0).reason())
        .isEqualTo("unknown-pool");
  }

  /**
   * Requests published back to back are taken a poll at a time (RunIntake.acceptAll): valid and
   * invalid ones, a second request for one run, a DAG, each gets what it would get alone.
   */
  @Test
  void requestsArrivingTogetherEachGetTheirOwnOutcome() {
    String pool = "together";
    Api.registerExecutor(pool, "exec-together", 8);
    String single = Runs.newRunId();
    String dag = Runs.newRunId();
    String unknownPool = Runs.newRunId();
    String unknownClass = Runs.newRunId();
    List<Envelope<?>> requests =
        List.of(
            request(single, pool, List.of(step("only", "smallrc", 0))),
            request(unknownPool, "staging", List.of(step("a", "smallrc", 0))),
            request(dag, pool, List.of(step("a", "smallrc", 0), step("b", "smallrc", 0, "a"))),
            // The same run again under another event id: the first request counts.
            request(single, pool, List.of(step("other", "smallrc", 0))),
            request(unknownClass, pool, List.of(step("a", "hugerc", 0))));
    Events.publishTogether(Topics.RUN_REQUESTS, requests);

    assertThat(awaitData(single, EventType.JOB_SCHEDULED, JobScheduled.class, 1))
        .extracting(JobScheduled::step)
        .containsExactly("only");
    assertThat(awaitData(dag, EventType.JOB_SCHEDULED, JobScheduled.class, 1))
        .extracting(JobScheduled::step)
        .containsExactly("a");
    assertThat(awaitData(unknownPool, EventType.RUN_REJECTED, RunRejected.class, 1).get(0).reason())
        .isEqualTo("unknown-pool");
    assertThat(
            awaitData(unknownClass, EventType.RUN_REJECTED, RunRejected.class, 1).get(0).reason())
        .isEqualTo("unknown-resource-class");
    Events.caughtUp();
    assertThat(Events.of(single, EventType.RUN_QUEUED)).hasSize(1);
    assertThat(Events.of(single, EventType.JOB_SCHEDULED)).hasSize(1);
    assertThat(Events.of(dag, EventType.JOB_SCHEDULED)).hasSize(1);
    assertThat(Api.run(dag)).containsEntry("status", "queued");
    assertThat(Api.pool(pool)).containsEntry("dispatched", 2);
  }

  private static Envelope<RunRequested> request(String runId, String pool, List<StepSpec> steps) {
    return Events.event(
        EventType.RUN_REQUESTED, "trigger-service", runId, Runs.request(runId, pool, steps));
  }

  @Test
  void capacityThatArrivesLaterDispatchesWaitingSteps() {
    String pool = "empty";
    String runId = Runs.newRunId();
    Runs.requestRun(runId, pool, List.of(step("a", "largerc", 0)));
    JobWaiting waiting = awaitData(runId, EventType.JOB_WAITING, JobWaiting.class, 1).get(0);
    assertThat(waiting.numbers()).containsEntry("capacity", 0L).containsEntry("needed", 4L);

    Api.registerExecutor(pool, "exec-late", 4);
    JobScheduled job = awaitData(runId, EventType.JOB_SCHEDULED, JobScheduled.class, 1).get(0);
    assertThat(job.attemptId()).isEqualTo(waiting.attemptId());
    assertThat(job.slots()).isEqualTo(4);
    Api.claimed(job, "exec-late");
    report(Runs.succeeded(job));
    awaitData(runId, EventType.RUN_SUCCEEDED, RunSucceeded.class, 1);
  }
}
