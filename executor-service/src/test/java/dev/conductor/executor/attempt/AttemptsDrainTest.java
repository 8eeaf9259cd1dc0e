package dev.conductor.executor.attempt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conductor.events.Envelope;
import dev.conductor.events.EventType;
import dev.conductor.events.Principals;
import dev.conductor.events.Topics;
import dev.conductor.events.data.AttemptSucceeded;
import dev.conductor.events.data.JobAuthorized;
import dev.conductor.executor.TestJobs;
import dev.conductor.executor.credential.CredentialBundles;
import dev.conductor.executor.job.Jobs;
import dev.conductor.executor.job.SleepJob;
import dev.conductor.executor.pool.ExecutorConfig;
import dev.conductor.executor.pool.ExecutorIdentity;
import dev.conductor.executor.scheduler.Claim;
import dev.conductor.platform.kafka.KafkaProducers;
import dev.conductor.platform.trace.TraceContext;
import dev.conductor.testkit.KafkaProbe;
import dev.conductor.testkit.KafkaTestResource;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Shutdown: running attempts finish within the grace period; what cannot is left to its lease. */
class AttemptsDrainTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final KafkaProbe kafka = KafkaProbe.shared();
  private KafkaProducers producers;
  private Attempts attempts;

  @BeforeEach
  void setUp() {
    ExecutorConfig config = config();
    producers =
        new KafkaProducers(
            KafkaTestResource.client(Principals.executor(TestJobs.POOL)), Duration.ZERO);
    attempts =
        new Attempts(
            new ExecutorIdentity(config),
            config,
            new AttemptEvents(producers, config),
            Jobs.of(new SleepJob()),
            new CredentialBundles(config),
            Clock.systemUTC());
  }

  @AfterEach
  void tearDown() {
    attempts.close();
    producers.producer().close(Duration.ofSeconds(5));
  }

  @Test
  void runningAttemptFinishesAndReportsWithinTheGracePeriod() throws Exception {
    String runId = TestJobs.runId();
    start(TestJobs.authorized(runId, "sleep", Map.of("millis", 700)));
    await()
        .atMost(WAIT)
        .until(
            () ->
                !kafka.events(Topics.attempts("dev"), runId, EventType.ATTEMPT_STARTED).isEmpty());

    attempts.drain(Duration.ofSeconds(10));

    // Nothing runs once drain returned: the outcome was acknowledged before the producer closes.
    assertThat(attempts.runningCount()).isZero();
    await()
        .atMost(WAIT)
        .until(
            () ->
                !kafka
                    .events(Topics.attempts("dev"), runId, EventType.ATTEMPT_SUCCEEDED)
                    .isEmpty());
    assertThat(
            kafka
                .events(Topics.attempts("dev"), runId, EventType.ATTEMPT_SUCCEEDED)
                .get(0)
                .data(AttemptSucceeded.class)
                .output())
        .isEqualTo("slept 700 ms");
    assertThat(attempts.acquire(TestJobs.authorized(runId, "noop", Map.of()).data()))
        .as("no slot after shutdown began")
        .isFalse();
  }

  @Test
  void attemptStillRunningAfterTheGracePeriodIsAbandonedWithoutAnOutcome() throws Exception {
    String runId = TestJobs.runId();
    start(TestJobs.authorized(runId, "sleep", Map.of("millis", 60_000)));
    await()
        .atMost(WAIT)
        .until(
            () ->
                !kafka.events(Topics.attempts("dev"), runId, EventType.ATTEMPT_STARTED).isEmpty());

    Instant before = Instant.now();
    attempts.drain(Duration.ofMillis(300));

    assertThat(Duration.between(before, Instant.now())).isLessThan(Duration.ofSeconds(5));
    assertThat(attempts.runningCount()).isZero();
    // The scheduler retries it when the lease expires; a failure here would count against it.
    assertThat(kafka.events(Topics.attempts("dev"), runId))
        .extracting(KafkaProbe.Seen::type)
        .doesNotContain(
            EventType.ATTEMPT_SUCCEEDED,
            EventType.ATTEMPT_FAILED,
            EventType.ATTEMPT_CANCELLED,
            EventType.ATTEMPT_TIMED_OUT);
  }

  private void start(Envelope<JobAuthorized> job) throws InterruptedException {
    assertThat(attempts.acquire(job.data())).isTrue();
    attempts.start(
        job.data(),
        job.id(),
        TraceContext.newTrace(),
        new Claim.Granted(Instant.now().plusSeconds(30), 10_000, null));
  }

  private static ExecutorConfig config() {
    return new ExecutorConfig() {
      @Override
      public String pool() {
        return TestJobs.POOL;
      }

      @Override
      public Optional<String> id() {
        return Optional.of("drain-test");
      }

      @Override
      public int slots() {
        return 2;
      }

      @Override
      public Optional<Path> privateKeyFile() {
        return Optional.empty();
      }

      @Override
      public Duration lease() {
        return Duration.ofSeconds(30);
      }

      @Override
      public Duration shutdownGrace() {
        return Duration.ofSeconds(10);
      }
    };
  }
}
