package dev.conductor.events.data;

import java.time.Instant;

/** The attempt was cancelled. */
public record AttemptCancelled(
    String runId, String step, String attemptId, String executorId, Instant finishedAt) {}
