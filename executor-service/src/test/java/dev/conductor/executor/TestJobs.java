package dev.conductor.executor;

import dev.conductor.events.Envelope;
import dev.conductor.events.EventType;
import dev.conductor.events.Topics;
import dev.conductor.events.data.JobAuthorized;
import dev.conductor.platform.trace.TraceContext;
import dev.conductor.testkit.KafkaProbe;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** Builds and publishes {@code job.authorized} events the way the broker does. */
public final class TestJobs {
  public static final String POOL = "dev";
  public static final String BROKER = Envelope.sourceOf("identity-broker");

  private TestJobs() {}

  /** A fresh run id per test, so tests never see each other's events. */
  public static String runId() {
    return "run-" + UUID.randomUUID();
  }

  public static Envelope<JobAuthorized> authorized(
      String runId,
      String jobType,
      Map<String, Object> spec,
      Instant deadline,
      String credentials) {
    return authorized(runId, "attempt-" + UUID.randomUUID(), jobType, spec, deadline, credentials);
  }

  public static Envelope<JobAuthorized> authorized(
      String runId,
      String attemptId,
      String jobType,
      Map<String, Object> spec,
      Instant deadline,
      String credentials) {
    return Envelope.of(
        EventType.JOB_AUTHORIZED,
        BROKER,
        runId,
        new JobAuthorized(
            runId,
            "step-1",
            attemptId,
            1,
            jobType,
            spec,
            Map.of("date", "2026-01-01"),
            deadline,
            "decision-" + UUID.randomUUID(),
            credentials,
            1,
            1),
        Clock.systemUTC());
  }

  public static Envelope<JobAuthorized> authorized(
      String runId, String jobType, Map<String, Object> spec) {
    return authorized(runId, jobType, spec, Instant.now().plus(Duration.ofMinutes(5)), null);
  }

  /** Publishes to the pool's jobs topic with a new trace; returns the traceparent used. */
  public static String publish(Envelope<JobAuthorized> job) {
    String traceparent = TraceContext.newTrace();
    KafkaProbe.shared().publish(job, Topics.jobs(POOL), traceparent);
    return traceparent;
  }
}
