package dev.conductor.executor.scheduler;

import java.time.Instant;

/** The scheduler's answer to a claim. */
public sealed interface Claim {
  /** This executor owns the attempt until {@code leaseExpiresAt}, renewed by heartbeats. */
  record Granted(Instant leaseExpiresAt, long heartbeatIntervalMs) implements Claim {}

  /** Another executor (or an earlier delivery) has it, or it is no longer runnable. */
  record Refused(String detail) implements Claim {}
}
