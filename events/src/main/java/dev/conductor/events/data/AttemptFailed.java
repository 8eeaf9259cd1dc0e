package dev.conductor.events.data;

import java.time.Instant;

/** The attempt failed; error is a bounded summary. */
public record AttemptFailed(
    String runId,
    String step,
    String attemptId,
    String executorId,
    String error,
    Instant finishedAt) {}
