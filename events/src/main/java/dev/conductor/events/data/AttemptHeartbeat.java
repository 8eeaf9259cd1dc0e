package dev.conductor.events.data;

import java.time.Instant;

/** The attempt is alive; renews its lease. */
public record AttemptHeartbeat(
    String runId, String step, String attemptId, String executorId, Instant at) {}
