package dev.conductor.events.data;

import java.time.Instant;

/** The attempt finished successfully; output is a bounded summary. */
public record AttemptSucceeded(
    String runId,
    String step,
    String attemptId,
    String executorId,
    String output,
    Instant finishedAt) {}
