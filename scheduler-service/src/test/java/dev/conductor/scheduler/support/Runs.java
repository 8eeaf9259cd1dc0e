package dev.conductor.scheduler.support;

import dev.conductor.events.Envelope;
import dev.conductor.events.EventType;
import dev.conductor.events.Topics;
import dev.conductor.events.data.AttemptFailed;
import dev.conductor.events.data.AttemptStarted;
import dev.conductor.events.data.AttemptSucceeded;
import dev.conductor.events.data.DataAccess;
import dev.conductor.events.data.JobDenied;
import dev.conductor.events.data.JobScheduled;
import dev.conductor.events.data.PipelineSnapshot;
import dev.conductor.events.data.Requester;
import dev.conductor.events.data.RunRequested;
import dev.conductor.events.data.StepSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Run requests and attempt reports as the trigger, executors and broker would send them. */
public final class Runs {
  /** Where the tests' executors report attempts: the scheduler reads every pool's topic alike. */
  public static final String ATTEMPTS = Topics.attempts("dev");

  public static final String WORKSPACE = "analytics";

  private Runs() {}

  public static String newRunId() {
    return "run-" + UUID.randomUUID();
  }

  public static StepSpec step(String name, String resourceClass, int maxRetries, String... deps) {
    return new StepSpec(
        name,
        List.of(deps),
        "sql",
        Map.of("statement", "select 1"),
        resourceClass,
        600,
        maxRetries,
        List.of(new DataAccess("warehouse", List.of("read"))));
  }

  public static RunRequested request(String runId, String pool, List<StepSpec> steps) {
    return new RunRequested(
        runId,
        WORKSPACE,
        "daily-sales",
        new PipelineSnapshot(WORKSPACE, "daily-sales", 3, steps, "etl-bot", List.of(), Map.of()),
        Map.of("date", "2026-11-26"),
        pool,
        new Requester("https://issuer.example", "alice", List.of("analysts")),
        "manual",
        null);
  }

  /** Publishes a run request as the trigger service would; returns the envelope. */
  public static Envelope<RunRequested> requestRun(String runId, String pool, List<StepSpec> steps) {
    Envelope<RunRequested> event =
        Events.event(
            EventType.RUN_REQUESTED, "trigger-service", runId, request(runId, pool, steps));
    Events.publish(event, Topics.RUN_REQUESTS);
    return event;
  }

  public static Envelope<AttemptStarted> started(JobScheduled job) {
    return Events.event(
        EventType.ATTEMPT_STARTED,
        "executor-service",
        job.runId(),
        new AttemptStarted(job.runId(), job.step(), job.attemptId(), "exec-1", Instant.now()));
  }

  public static Envelope<AttemptSucceeded> succeeded(JobScheduled job) {
    return Events.event(
        EventType.ATTEMPT_SUCCEEDED,
        "executor-service",
        job.runId(),
        new AttemptSucceeded(
            job.runId(), job.step(), job.attemptId(), "exec-1", "1 row", Instant.now()));
  }

  public static Envelope<AttemptFailed> failed(JobScheduled job, String error) {
    return Events.event(
        EventType.ATTEMPT_FAILED,
        "executor-service",
        job.runId(),
        new AttemptFailed(
            job.runId(), job.step(), job.attemptId(), "exec-1", error, Instant.now()));
  }

  public static Envelope<JobDenied> denied(JobScheduled job) {
    return Events.event(
        EventType.JOB_DENIED,
        "identity-broker",
        job.runId(),
        new JobDenied(
            job.runId(), job.step(), job.attemptId(), "decision-1", "alice may not use etl-bot"));
  }

  /**
   * Publishes a job event where its writer would: an attempt's on {@link #ATTEMPTS} (the scheduler
   * reads every pool's), the broker's refusals on {@code conductor.job-events}.
   */
  public static void report(Envelope<?> event) {
    Events.publish(event, event.type().perPool() ? ATTEMPTS : Topics.JOB_EVENTS);
  }

  /** The job.scheduled of one step (latest attempt first in the list). */
  public static JobScheduled scheduled(List<JobScheduled> jobs, String step) {
    return jobs.stream()
        .filter(j -> j.step().equals(step))
        .reduce((first, second) -> second)
        .orElseThrow(() -> new AssertionError("no job.scheduled for step " + step));
  }
}
