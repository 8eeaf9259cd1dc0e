package dev.conductor.events.data;

import java.time.Instant;

/** An executor started an attempt. */
public record AttemptStarted(
    String runId, String step, String attemptId, String executorId, Instant startedAt) {}
