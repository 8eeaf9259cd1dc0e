package dev.conductor.events.data;

/** Asks the pool's executors to cancel one attempt. */
public record AttemptCancelRequested(String runId, String attemptId, String by) {}
