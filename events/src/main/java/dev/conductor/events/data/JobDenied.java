package dev.conductor.events.data;

/** The broker denied an attempt; the scheduler frees its slot. */
public record JobDenied(
    String runId, String step, String attemptId, String decisionId, String reason) {}
