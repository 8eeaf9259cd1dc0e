package dev.conductor.scheduler.attempt;

import static dev.conductor.scheduler.support.Events.awaitData;
import static dev.conductor.scheduler.support.Runs.report;
import static dev.conductor.scheduler.support.Runs.scheduled;
import static dev.conductor.scheduler.support.Runs.step;
import static org.assertj.core.api.Assertions.assertThat;

import dev.conductor.events.Envelope;
import dev.conductor.events.EventType;
import dev.conductor.events.Topics;
import dev.conductor.events.data.AttemptHeartbeat;
import dev.conductor.events.data.AttemptStarted;
import dev.conductor.events.data.AttemptSucceeded;
import dev.conductor.events.data.JobScheduled;
import dev.conductor.events.data.RunRequested;
import dev.conductor.events.data.RunSucceeded;
import dev.conductor.platform.dlq.DeadLetters;
import dev.conductor.scheduler.support.Api;
import dev.conductor.scheduler.support.Events;
import dev.conductor.scheduler.support.Outboxes;
import dev.conductor.scheduler.support.Runs;
import dev.conductor.testkit.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Both consumers: a duplicate has one effect, and what cannot be processed goes to the DLQ. */
@QuarkusTest
class JobEventConsumerTest {
  @Inject Pool db;

  @Test
  void aDuplicatedRunRequestQueuesTheRunOnce() {
    String pool = "dupes";
    Api.registerExecutor(pool, "exec-dupes-1", 8);
    String runId = Runs.newRunId();
    Envelope<RunRequested> request = Runs.requestRun(runId, pool, List.of(step("a", "smallrc", 0)));
    Events.publish(request, Topics.RUN_REQUESTS);
    // Same run id, new event id: the run id guards it too.
    Runs.requestRun(runId, pool, List.of(step("a", "smallrc", 0)));
    Events.barrier(Topics.RUN_REQUESTS, runId);
    Outboxes.awaitPublished(db, runId);

    assertThat(Events.of(runId, EventType.RUN_QUEUED)).hasSize(1);
    assertThat(Events.of(runId, EventType.JOB_SCHEDULED)).hasSize(1);
  }

  @Test
  void duplicatedAttemptReportsHaveOneEffect() {
    String pool = "dupes";
    Api.registerExecutor(pool, "exec-dupes-2", 8);
    String runId = Runs.newRunId();
    Runs.requestRun(
        runId,
        pool,
        List.of(
            step("a", "smallrc", 0), step("b", "smallrc", 0), step("c", "smallrc", 0, "a", "b")));
    List<JobScheduled> jobs = awaitData(runId, EventType.JOB_SCHEDULED, JobScheduled.class, 2);
    jobs.forEach(job -> Api.claimed(job, "exec-dupes-2"));

    Envelope<AttemptSucceeded> aDone = Runs.succeeded(scheduled(jobs, "a"));
    report(aDone);
    report(aDone); // redelivery: the inbox skips it
    report(Runs.succeeded(scheduled(jobs, "a"))); // same outcome, new id: the status guard skips it
    Envelope<AttemptSucceeded> bDone = Runs.succeeded(scheduled(jobs, "b"));
    report(bDone);
    report(bDone);
    JobScheduled c =
        scheduled(awaitData(runId, EventType.JOB_SCHEDULED, JobScheduled.class, 3), "c");
    Api.claimed(c, "exec-dupes-2");
    Envelope<AttemptSucceeded> cDone = Runs.succeeded(c);
    report(cDone);
    report(cDone);
    report(Runs.succeeded(c));
    Events.barrier(Topics.JOB_EVENTS, runId);
    Outboxes.awaitPublished(db, runId);

    assertThat(Events.of(runId, EventType.JOB_SCHEDULED)).hasSize(3);
    assertThat(Events.data(runId, EventType.RUN_SUCCEEDED, RunSucceeded.class)).hasSize(1);
    assertThat((List<Map<String, Object>>) Api.run(runId).get("steps"))
        .extracting(s -> s.get("status") + ":" + s.get("attempts"))
        .containsExactly("succeeded:1", "succeeded:1", "succeeded:1");
  }

  @Test
  void malformedMessagesGoToTheDlqAndConsumptionContinues() {
    String pool = "dupes";
    Api.registerExecutor(pool, "exec-dupes-3", 8);
    String runId = Runs.newRunId();
    Runs.requestRun(runId, pool, List.of(step("a", "smallrc", 0)));
    JobScheduled a = awaitData(runId, EventType.JOB_SCHEDULED, JobScheduled.class, 1).get(0);
    Api.claimed(a, "exec-dupes-3");

    String garbageKey = "garbage-" + UUID.randomUUID();
    Events.publishRaw(Topics.JOB_EVENTS, garbageKey, "{not a cloud event");
    KafkaProbe.Seen dead = Events.awaitDlq(garbageKey);
    assertThat(dead.header(DeadLetters.REASON)).isNotBlank();
    assertThat(dead.header(DeadLetters.SOURCE_TOPIC)).isEqualTo(Topics.JOB_EVENTS);
    assertThat(new String(dead.record().value())).isEqualTo("{not a cloud event");

    String runsGarbage = "garbage-" + UUID.randomUUID();
    Events.publishRaw(Topics.RUN_REQUESTS, runsGarbage, "[]");
    assertThat(Events.awaitDlq(runsGarbage).header(DeadLetters.SOURCE_TOPIC))
        .isEqualTo(Topics.RUN_REQUESTS);

    // An event about an attempt the scheduler never made is rejected, not retried.
    String unknownKey = "unknown-" + UUID.randomUUID();
    Events.publish(
        new Envelope<>(
            UUID.randomUUID().toString(),
            EventType.ATTEMPT_HEARTBEAT,
            "/conductor/executor-service",
            unknownKey,
            Instant.now(),
            null,
            unknownKey,
            new AttemptHeartbeat(
                unknownKey, "a", UUID.randomUUID().toString(), "exec-1", Instant.now())),
        Runs.ATTEMPTS);
    assertThat(Events.awaitDlq(unknownKey).header(DeadLetters.REASON)).contains("unknown attempt");

    // Consumption went on: the run still completes.
    report(Runs.succeeded(a));
    awaitData(runId, EventType.RUN_SUCCEEDED, RunSucceeded.class, 1);
    String next = Runs.newRunId();
    Runs.requestRun(next, pool, List.of(step("z", "smallrc", 0)));
    awaitData(next, EventType.RUN_QUEUED, dev.conductor.events.data.RunQueued.class, 1);
  }

  @Test
  void aPollWithOneBadEventAppliesTheOthersAndDeadLettersOnlyThatOne() {
    String pool = "dupes";
    Api.registerExecutor(pool, "exec-dupes-4", 8);
    String runId = Runs.newRunId();
    Runs.requestRun(runId, pool, List.of(step("a", "smallrc", 0), step("b", "smallrc", 0)));
    List<JobScheduled> jobs = awaitData(runId, EventType.JOB_SCHEDULED, JobScheduled.class, 2);
    jobs.forEach(job -> Api.claimed(job, "exec-dupes-4"));
    String stranger = UUID.randomUUID().toString();
    Envelope<AttemptHeartbeat> unknown =
        new Envelope<>(
            UUID.randomUUID().toString(),
            EventType.ATTEMPT_HEARTBEAT,
            "/conductor/executor-service",
            runId,
            Instant.now(),
            null,
            runId,
            new AttemptHeartbeat(runId, "a", stranger, "exec-1", Instant.now()));

    // One key, back to back: one partition, in order, normally one poll and one transaction,
    // which the unknown attempt fails; then each event is applied on its own.
    Events.publishTogether(
        Runs.ATTEMPTS,
        List.of(
            Runs.succeeded(scheduled(jobs, "a")), unknown, Runs.succeeded(scheduled(jobs, "b"))));

    awaitData(runId, EventType.RUN_SUCCEEDED, RunSucceeded.class, 1);
    assertThat(Events.awaitDlq(runId).header(DeadLetters.REASON)).contains("unknown attempt");
    Events.barrier(Topics.JOB_EVENTS, runId);
    Outboxes.awaitPublished(db, runId);
    // The barrier is itself an unknown attempt's heartbeat: count the bad event only.
    assertThat(Events.dlq(runId))
        .filteredOn(seen -> seen.event() != null && !seen.event().id().startsWith("barrier-"))
        .as("only the bad event, once")
        .extracting(seen -> seen.event().id())
        .containsExactly(unknown.id());
    assertThat(Events.of(runId, EventType.RUN_SUCCEEDED)).hasSize(1);
  }

  @Test
  void thePollsStartsAreAppliedTogetherBeforeItsOtherEvents() {
    String pool = "dupes";
    Api.registerExecutor(pool, "exec-dupes-5", 8);
    String runId = Runs.newRunId();
    Runs.requestRun(
        runId,
        pool,
        List.of(step("a", "smallrc", 0), step("b", "smallrc", 0), step("c", "smallrc", 0)));
    List<JobScheduled> jobs = awaitData(runId, EventType.JOB_SCHEDULED, JobScheduled.class, 3);
    jobs.forEach(job -> Api.claimed(job, "exec-dupes-5"));
    String stranger = UUID.randomUUID().toString();
    Envelope<AttemptStarted> unknown =
        Events.event(
            EventType.ATTEMPT_STARTED,
            "executor-service",
            runId,
            new AttemptStarted(runId, "z", stranger, "exec-1", Instant.now()));

    // One poll, normally: a started, its success, a duplicate start (new id), another start, an
    // unknown attempt's start (the poll fails on it and is applied one event at a time), a third.
    Events.publishTogether(
        Runs.ATTEMPTS,
        List.of(
            Runs.started(scheduled(jobs, "a")),
            Runs.succeeded(scheduled(jobs, "a")),
            Runs.started(scheduled(jobs, "a")),
            Runs.started(scheduled(jobs, "b")),
            unknown,
            Runs.started(scheduled(jobs, "c"))));

    assertThat(Events.awaitDlq(runId).header(DeadLetters.REASON)).contains("unknown attempt");
    Events.barrier(Topics.JOB_EVENTS, runId);
    assertThat((List<Map<String, Object>>) Api.run(runId).get("steps"))
        .extracting(st -> st.get("name") + ":" + st.get("status"))
        .containsExactly("a:succeeded", "b:running", "c:running");
    assertThat(Api.run(runId).get("status")).isEqualTo("running");

    // The last two steps succeed in one poll (one of them reported twice): the run succeeds once.
    Events.publishTogether(
        Runs.ATTEMPTS,
        List.of(
            Runs.succeeded(scheduled(jobs, "b")),
            Runs.succeeded(scheduled(jobs, "c")),
            Runs.succeeded(scheduled(jobs, "b"))));
    awaitData(runId, EventType.RUN_SUCCEEDED, RunSucceeded.class, 1);
    Events.barrier(Topics.JOB_EVENTS, runId);
    Outboxes.awaitPublished(db, runId);
    assertThat(Events.of(runId, EventType.RUN_SUCCEEDED)).hasSize(1);
    assertThat(Api.pool(pool).get("used")).isEqualTo(0);
  }

  @Test
  void aFailureInThePollKeepsItsSuccessesInPollOrder() {
    String pool = "dupes";
    Api.registerExecutor(pool, "exec-dupes-6", 8);
    String runId = Runs.newRunId();
    Runs.requestRun(
        runId,
        pool,
        List.of(step("a", "smallrc", 0), step("b", "smallrc", 0), step("c", "smallrc", 0, "b")));
    List<JobScheduled> jobs = awaitData(runId, EventType.JOB_SCHEDULED, JobScheduled.class, 2);
    jobs.forEach(job -> Api.claimed(job, "exec-dupes-6"));

    // a fails for good, then b succeeds, in one poll: the run fails first, so c never opens.
    Events.publishTogether(
        Runs.ATTEMPTS,
        List.of(Runs.failed(scheduled(jobs, "a"), "boom"), Runs.succeeded(scheduled(jobs, "b"))));

    awaitData(runId, EventType.RUN_FAILED, dev.conductor.events.data.RunFailed.class, 1);
    Events.barrier(Topics.JOB_EVENTS, runId);
    assertThat((List<Map<String, Object>>) Api.run(runId).get("steps"))
        .extracting(st -> st.get("name") + ":" + st.get("status") + ":" + st.get("attempts"))
        .containsExactly("a:failed:1", "b:succeeded:1", "c:cancelled:0");
  }
}
