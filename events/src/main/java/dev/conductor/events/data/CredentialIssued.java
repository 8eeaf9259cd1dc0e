package dev.conductor.events.data;

import java.time.Instant;

/** A credential was minted for an attempt; never carries the secret. */
public record CredentialIssued(
    String leaseId,
    String runId,
    String attemptId,
    String kind,
    Instant expiresAt,
    String fingerprint) {}
