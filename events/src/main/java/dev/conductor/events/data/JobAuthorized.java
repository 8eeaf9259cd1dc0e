package dev.conductor.events.data;

import java.time.Instant;
import java.util.Map;

/** An attempt an executor of the pool may run; credentials are a JWE to the pool's key, or null. */
public record JobAuthorized(
    String runId,
    String step,
    String attemptId,
    int attemptNumber,
    String jobType,
    Map<String, Object> spec,
    Map<String, Object> parameters,
    Instant deadline,
    String decisionId,
    String credentials) {}
