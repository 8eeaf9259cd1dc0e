package dev.conductor.executor.scheduler;

import java.time.Instant;

/** The scheduler's answer to a claim. */
public sealed interface Claim {
  /**
   * This executor owns the attempt, on slots the scheduler counted, until {@code leaseExpiresAt}
   * (renewed by heartbeats) and at most until {@code deadline}, which started at the claim.
   */
  record Granted(Instant leaseExpiresAt, long heartbeatIntervalMs, Instant deadline)
      implements Claim {}

  /**
   * Not this executor's, and dropped: {@code noCapacity} when the scheduler counted no free slot
   * here (the attempt is back in its queue), otherwise another executor or an earlier delivery has
   * it, it was dispatched anew, or it is no longer runnable.
   */
  record Refused(boolean noCapacity, String detail) implements Claim {}

  /**
   * The scheduler has no such attempt in this executor's pool: the job is a bad record (never
   * retried; it goes to the DLQ).
   */
  record Unknown(String detail) implements Claim {}
}
