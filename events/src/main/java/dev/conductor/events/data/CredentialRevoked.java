package dev.conductor.events.data;

/** A credential lease ended. */
public record CredentialRevoked(String leaseId, String runId, String attemptId, String reason) {}
