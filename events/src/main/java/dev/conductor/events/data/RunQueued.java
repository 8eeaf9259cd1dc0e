package dev.conductor.events.data;

import java.time.Instant;

/** The scheduler accepted a run into a pool. */
public record RunQueued(String runId, String pool, Instant queuedAt) {}
