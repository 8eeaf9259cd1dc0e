package dev.conductor.executor.attempt;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conductor.events.Envelope;
import dev.conductor.events.EventType;
import dev.conductor.events.Topics;
import dev.conductor.events.data.AttemptFailed;
import dev.conductor.events.data.AttemptStarted;
import dev.conductor.events.data.AttemptSucceeded;
import dev.conductor.events.data.JobAuthorized;
import dev.conductor.executor.ExecutorTestProfile;
import dev.conductor.executor.FakeScheduler;
import dev.conductor.executor.TestJobs;
import dev.conductor.executor.pool.ExecutorIdentity;
import dev.conductor.platform.dlq.DeadLetters;
import dev.conductor.platform.trace.TraceContext;
import dev.conductor.testkit.KafkaProbe;
import dev.conductor.testkit.KafkaProbe.Seen;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(ExecutorTestProfile.class)
class JobConsumerTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Inject ExecutorIdentity identity;
  @Inject Attempts attempts;

  @ConfigProperty(name = "conductor.scheduler.url")
  String scheduler;

  private final KafkaProbe kafka = KafkaProbe.shared();

  @Test
  void noopJobStartsAndSucceedsInTheRunsTraceWithCausation() {
    String runId = TestJobs.runId();
    Envelope<JobAuthorized> job = TestJobs.authorized(runId, "noop", Map.of());
    String traceparent = TestJobs.publish(job);

    Seen succeeded = awaitOne(runId, EventType.ATTEMPT_SUCCEEDED);
    List<Seen> events = kafka.events(Topics.attempts("dev"), runId);
    Seen started = only(runId, EventType.ATTEMPT_STARTED);
    assertThat(events.indexOf(started)).isLessThan(events.indexOf(succeeded));

    assertThat(started.event().causationId()).isEqualTo(job.id());
    assertThat(succeeded.event().causationId()).isEqualTo(started.event().id());
    for (Seen e : List.of(started, succeeded)) {
      assertThat(TraceContext.traceId(e.traceparent()))
          .isEqualTo(TraceContext.traceId(traceparent));
      assertThat(e.traceparent()).isNotEqualTo(traceparent);
      assertThat(e.event().source()).isEqualTo("/conductor/executor-service");
      assertThat(e.event().subject()).isEqualTo(runId);
    }
    AttemptStarted s = started.data(AttemptStarted.class);
    assertThat(s.attemptId()).isEqualTo(job.data().attemptId());
    assertThat(s.step()).isEqualTo("step-1");
    assertThat(s.executorId()).isEqualTo(identity.id());
    AttemptSucceeded done = succeeded.data(AttemptSucceeded.class);
    assertThat(done.attemptId()).isEqualTo(job.data().attemptId());
    assertThat(done.output()).isNotBlank();
    assertThat(done.finishedAt()).isAfterOrEqualTo(s.startedAt());
  }

  @Test
  void failJobFailsWithItsMessage() {
    String runId = TestJobs.runId();
    TestJobs.publish(TestJobs.authorized(runId, "fail", Map.of("message", "disk full")));
    String other = TestJobs.runId();
    TestJobs.publish(TestJobs.authorized(other, "fail", Map.of()));

    Seen failed = awaitOne(runId, EventType.ATTEMPT_FAILED);
    assertThat(failed.data(AttemptFailed.class).error()).isEqualTo("disk full");
    assertThat(failed.event().causationId())
        .isEqualTo(only(runId, EventType.ATTEMPT_STARTED).event().id());
    assertThat(awaitOne(other, EventType.ATTEMPT_FAILED).data(AttemptFailed.class).error())
        .isEqualTo("requested failure");
  }

  @Test
  void unknownJobTypeFails() {
    String runId = TestJobs.runId();
    TestJobs.publish(TestJobs.authorized(runId, "teleport", Map.of()));

    assertThat(awaitOne(runId, EventType.ATTEMPT_FAILED).data(AttemptFailed.class).error())
        .isEqualTo("unknown job type 'teleport'");
  }

  @Test
  void sleepJobsRunConcurrentlyAndHeartbeatWhileRunning() {
    List<String> runs = List.of(TestJobs.runId(), TestJobs.runId(), TestJobs.runId());
    runs.forEach(
        run -> TestJobs.publish(TestJobs.authorized(run, "sleep", Map.of("millis", 1500))));

    List<Seen> succeeded =
        runs.stream().map(run -> awaitOne(run, EventType.ATTEMPT_SUCCEEDED)).toList();
    Instant lastStart =
        runs.stream()
            .map(run -> only(run, EventType.ATTEMPT_STARTED).data(AttemptStarted.class).startedAt())
            .max(Comparator.naturalOrder())
            .orElseThrow();
    Instant firstFinish =
        succeeded.stream()
            .map(e -> e.data(AttemptSucceeded.class).finishedAt())
            .min(Comparator.naturalOrder())
            .orElseThrow();
    assertThat(lastStart).isBefore(firstFinish);
    for (String run : runs) {
      assertThat(
              kafka
                  .events(Topics.attempts("dev"), run, EventType.ATTEMPT_SUCCEEDED)
                  .get(0)
                  .data(AttemptSucceeded.class)
                  .output())
          .isEqualTo("slept 1500 ms");
      // Heartbeats every 300 ms (the claim answer), caused by the start, none after the outcome.
      Seen started = only(run, EventType.ATTEMPT_STARTED);
      List<Seen> heartbeats =
          kafka.events(Topics.attempts("dev"), run, EventType.ATTEMPT_HEARTBEAT);
      assertThat(heartbeats).hasSizeGreaterThanOrEqualTo(2);
      assertThat(heartbeats)
          .allSatisfy(
              h -> {
                assertThat(h.event().causationId()).isEqualTo(started.event().id());
                assertThat(TraceContext.traceId(h.traceparent()))
                    .isEqualTo(TraceContext.traceId(started.traceparent()));
              });
      List<Seen> events = kafka.events(Topics.attempts("dev"), run);
      assertThat(events.get(events.size() - 1).type()).isEqualTo(EventType.ATTEMPT_SUCCEEDED);
    }
  }

  @Test
  void secondDeliveryIsRefusedByTheClaimAndStartsNothing() {
    String runId = TestJobs.runId();
    Envelope<JobAuthorized> job = TestJobs.authorized(runId, "noop", Map.of());
    TestJobs.publish(job);
    TestJobs.publish(job);

    await()
        .atMost(WAIT)
        .until(
            () ->
                given()
                        .get(scheduler + "/test/claims/" + job.data().attemptId())
                        .jsonPath()
                        .getInt("claims")
                    == 2);
    awaitOne(runId, EventType.ATTEMPT_SUCCEEDED);
    // Both deliveries are on one partition, processed in order: a later job there proves the
    // duplicate has been handled, so the count below is final.
    String later = TestJobs.runId();
    KafkaProbe.shared()
        .publish(
            sameKey(TestJobs.authorized(later, "noop", Map.of()), runId),
            Topics.jobs(TestJobs.POOL),
            TraceContext.newTrace());
    awaitOne(later, EventType.ATTEMPT_SUCCEEDED);
    assertThat(kafka.events(Topics.attempts("dev"), runId, EventType.ATTEMPT_STARTED))
        .filteredOn(e -> e.data(AttemptStarted.class).attemptId().equals(job.data().attemptId()))
        .hasSize(1);
  }

  @Test
  void deadlinePassingTimesTheAttemptOut() {
    String runId = TestJobs.runId();
    TestJobs.publish(
        TestJobs.authorized(
            runId, "sleep", Map.of("millis", 60_000), Instant.now().plusMillis(800), null));

    Seen timedOut = awaitOne(runId, EventType.ATTEMPT_TIMED_OUT);
    assertThat(timedOut.event().causationId())
        .isEqualTo(only(runId, EventType.ATTEMPT_STARTED).event().id());
    assertThat(kafka.events(Topics.attempts("dev"), runId, EventType.ATTEMPT_SUCCEEDED)).isEmpty();
  }

  @Test
  void undecodableRecordGoesToTheDlqAndConsumptionContinues() {
    String key = "garbage-" + UUID.randomUUID();
    kafka.send(
        new ProducerRecord<>(
            Topics.jobs(TestJobs.POOL), key, "not a cloud event".getBytes(StandardCharsets.UTF_8)));

    await().atMost(WAIT).until(() -> !kafka.deadLetters(key).isEmpty());
    ConsumerRecord<String, byte[]> dead = kafka.deadLetters(key).get(0).record();
    assertThat(header(dead, DeadLetters.REASON)).isNotBlank();
    assertThat(header(dead, DeadLetters.SOURCE_TOPIC)).isEqualTo(Topics.jobs(TestJobs.POOL));
    assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("not a cloud event");

    String runId = TestJobs.runId();
    TestJobs.publish(TestJobs.authorized(runId, "noop", Map.of()));
    awaitOne(runId, EventType.ATTEMPT_SUCCEEDED);
  }

  @Test
  void aClaimTheSchedulerCannotAnswerIsRetriedUntilTheDeadlineWithoutBlockingOthers() {
    String runId = TestJobs.runId();
    String attemptId = FakeScheduler.BROKEN + UUID.randomUUID();
    TestJobs.publish(
        TestJobs.authorized(
            runId, attemptId, "noop", Map.of(), Instant.now().plusSeconds(4), null));

    // The scheduler keeps answering 500: an outage of ours, not a bad record. It is asked again
    // and again, nothing goes to the DLQ, and the jobs behind it are not held up.
    await()
        .atMost(WAIT)
        .until(
            () ->
                given().get(scheduler + "/test/claims/" + attemptId).jsonPath().getInt("claims")
                    > 2);
    String next = TestJobs.runId();
    TestJobs.publish(TestJobs.authorized(next, "noop", Map.of()));
    awaitOne(next, EventType.ATTEMPT_SUCCEEDED);
    // At its deadline it gives the slot back; the scheduler's sweeper takes the attempt back.
    await().atMost(WAIT).until(() -> attempts.freeSlots() == identity.slots());
    assertThat(kafka.deadLetters(runId)).isEmpty();
    assertThat(kafka.events(Topics.attempts("dev"), runId)).isEmpty();
  }

  private Seen awaitOne(String runId, EventType type) {
    await().atMost(WAIT).until(() -> !kafka.events(Topics.attempts("dev"), runId, type).isEmpty());
    return only(runId, type);
  }

  private Seen only(String runId, EventType type) {
    List<Seen> events = kafka.events(Topics.attempts("dev"), runId, type);
    assertThat(events).as("%s of %s", type.shortName(), runId).hasSize(1);
    return events.get(0);
  }

  /** The same job under another run id but the given Kafka key (so: the same partition). */
  private static Envelope<JobAuthorized> sameKey(Envelope<JobAuthorized> job, String key) {
    return new Envelope<>(
        job.id(), job.type(), job.source(), job.subject(), job.time(), null, key, job.data());
  }

  private static String header(ConsumerRecord<String, byte[]> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
