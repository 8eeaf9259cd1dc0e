package dev.conductor.events.data;

/** The broker allowed an attempt but could not mint its credentials. */
public record JobCredentialFailed(
    String runId, String step, String attemptId, String decisionId, String reason) {}
