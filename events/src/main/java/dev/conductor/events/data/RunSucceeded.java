package dev.conductor.events.data;

import java.time.Instant;

/** Every step of the run succeeded. */
public record RunSucceeded(String runId, Instant startedAt, Instant finishedAt) {}
