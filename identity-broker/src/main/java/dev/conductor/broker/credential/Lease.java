package dev.conductor.broker.credential;

import java.time.Instant;

/** One minted credential as recorded: never the secret itself, only its SHA-256 fingerprint. */
public record Lease(
    String leaseId, String resource, String kind, Instant expiresAt, String fingerprint) {
  public static final String JWT = "jwt";
}
