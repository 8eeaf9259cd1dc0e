package dev.conductor.events.data;

import java.time.Instant;

/**
 * The scheduler stopped counting on an attempt whose lease expired: whatever its executor reports
 * about it from now on is recorded and ignored, and the broker revokes what it issued for it.
 */
public record AttemptFenced(
    String runId,
    String step,
    String attemptId,
    int attemptNumber,
    String executorId,
    String reason,
    Instant fencedAt) {}
