package dev.conductor.scheduler.run;

import dev.conductor.events.data.Requester;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/** A stored run. {@code environment} is also its pool. */
public record RunRow(
    String id,
    String workspace,
    String pipeline,
    Integer pipelineVersion,
    String environment,
    String status,
    String reason,
    String detail,
    String failedStep,
    String runAs,
    Requester requester,
    Map<String, Object> parameters,
    String traceparent,
    Instant requestedAt,
    Instant startedAt,
    Instant finishedAt) {
  public static final String QUEUED = "queued";
  public static final String RUNNING = "running";
  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";
  public static final String REJECTED = "rejected";

  /** States in which steps still get dispatched and retried. */
  public static final Set<String> ACTIVE = Set.of(QUEUED, RUNNING);

  public boolean active() {
    return ACTIVE.contains(status);
  }

  public String pool() {
    return environment;
  }
}
