package dev.conductor.events.data;

import java.time.Instant;

/**
 * The run ended without success; reason is a short code (step-failed, denied, credential-failed,
 * timed-out).
 */
public record RunFailed(
    String runId, String reason, String step, String detail, Instant finishedAt) {}
