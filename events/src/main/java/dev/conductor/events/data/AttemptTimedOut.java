package dev.conductor.events.data;

import java.time.Instant;

/** The attempt passed its deadline. */
public record AttemptTimedOut(
    String runId, String step, String attemptId, String executorId, Instant finishedAt) {}
