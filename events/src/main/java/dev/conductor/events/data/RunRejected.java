package dev.conductor.events.data;

/** The scheduler refused a run (unknown pool, empty pipeline, ...). */
public record RunRejected(String runId, String reason, String detail) {}
