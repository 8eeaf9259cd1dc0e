package dev.conductor.events.data;

import java.util.Map;

/** An attempt waits; emitted only when its reason changes. */
public record JobWaiting(
    String runId,
    String step,
    String attemptId,
    String pool,
    String reason,
    Map<String, Long> numbers) {}
