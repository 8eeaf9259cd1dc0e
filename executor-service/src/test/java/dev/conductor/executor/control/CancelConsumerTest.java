package dev.conductor.executor.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conductor.events.Envelope;
import dev.conductor.events.EventType;
import dev.conductor.events.Topics;
import dev.conductor.events.data.AttemptCancelRequested;
import dev.conductor.events.data.AttemptCancelled;
import dev.conductor.events.data.JobAuthorized;
import dev.conductor.executor.ExecutorTestProfile;
import dev.conductor.executor.TestJobs;
import dev.conductor.executor.attempt.Attempts;
import dev.conductor.platform.trace.TraceContext;
import dev.conductor.testkit.KafkaProbe;
import dev.conductor.testkit.KafkaProbe.Seen;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(ExecutorTestProfile.class)
class CancelConsumerTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String SCHEDULER = Envelope.sourceOf("scheduler-service");

  @Inject Attempts attempts;

  private final KafkaProbe kafka = KafkaProbe.shared();

  @Test
  void cancelInterruptsTheRunningAttempt() {
    String runId = TestJobs.runId();
    Envelope<JobAuthorized> job = TestJobs.authorized(runId, "sleep", Map.of("millis", 60_000));
    String traceparent = TestJobs.publish(job);
    String attemptId = job.data().attemptId();
    await().atMost(WAIT).until(() -> attempts.isRunning(attemptId));
    await()
        .atMost(WAIT)
        .until(
            () ->
                !kafka.events(Topics.attempts("dev"), runId, EventType.ATTEMPT_STARTED).isEmpty());

    Envelope<AttemptCancelRequested> cancel =
        Envelope.of(
            EventType.ATTEMPT_CANCEL_REQUESTED,
            SCHEDULER,
            runId,
            new AttemptCancelRequested(runId, attemptId, "alice"),
            Clock.systemUTC());
    kafka.publish(cancel, Topics.control(TestJobs.POOL), TraceContext.childOf(traceparent));
    // A duplicate and a cancel for an attempt that does not run here change nothing.
    kafka.publish(cancel, Topics.control(TestJobs.POOL), TraceContext.childOf(traceparent));
    kafka.publish(
        Envelope.of(
            EventType.ATTEMPT_CANCEL_REQUESTED,
            SCHEDULER,
            runId,
            new AttemptCancelRequested(runId, "attempt-elsewhere", "alice"),
            Clock.systemUTC()),
        Topics.control(TestJobs.POOL),
        null);

    await()
        .atMost(WAIT)
        .until(
            () ->
                !kafka
                    .events(Topics.attempts("dev"), runId, EventType.ATTEMPT_CANCELLED)
                    .isEmpty());
    Seen started = kafka.events(Topics.attempts("dev"), runId, EventType.ATTEMPT_STARTED).get(0);
    Seen cancelled =
        kafka.events(Topics.attempts("dev"), runId, EventType.ATTEMPT_CANCELLED).get(0);
    assertThat(cancelled.data(AttemptCancelled.class).attemptId()).isEqualTo(attemptId);
    assertThat(cancelled.event().causationId()).isEqualTo(started.event().id());
    assertThat(TraceContext.traceId(cancelled.traceparent()))
        .isEqualTo(TraceContext.traceId(traceparent));
    await().atMost(WAIT).until(() -> !attempts.isRunning(attemptId));
    assertThat(kafka.events(Topics.attempts("dev"), runId, EventType.ATTEMPT_SUCCEEDED)).isEmpty();
    assertThat(kafka.events(Topics.attempts("dev"), runId, EventType.ATTEMPT_CANCELLED)).hasSize(1);
  }
}
