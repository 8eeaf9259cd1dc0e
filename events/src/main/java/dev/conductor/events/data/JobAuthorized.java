package dev.conductor.events.data;

import java.time.Instant;
import java.util.Map;

/**
 * An attempt an executor of the pool may run, once it has claimed it for this {@code dispatch};
 * credentials are a JWE to the pool's key, or null. {@code deadline} is the latest the attempt may
 * end; the claim answers its actual deadline. {@code slots} is what it costs the executor that runs
 * it.
 */
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
    String credentials,
    int dispatch,
    int slots) {}
