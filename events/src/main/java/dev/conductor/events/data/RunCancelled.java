package dev.conductor.events.data;

import java.time.Instant;

/** The run was cancelled. */
public record RunCancelled(String runId, String by, Instant finishedAt) {}
