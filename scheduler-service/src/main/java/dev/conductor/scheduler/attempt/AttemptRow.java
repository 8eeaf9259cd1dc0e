package dev.conductor.scheduler.attempt;

import java.time.Instant;
import java.util.UUID;

/**
 * A stored attempt: one try of a step, dispatched to its pool as a job ({@code dispatch} counts the
 * times; a claim answers one of them). Its deadline is set at its claim.
 */
public record AttemptRow(
    UUID id,
    String runId,
    String step,
    int number,
    String pool,
    int slots,
    String status,
    String waitReason,
    String executorId,
    Instant deadline,
    Instant leaseExpiresAt,
    String detail,
    int dispatch) {
  public static final String WAITING = "waiting";
  public static final String SCHEDULED = "scheduled";
  public static final String CLAIMED = "claimed";
  public static final String RUNNING = "running";
  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";
  public static final String TIMED_OUT = "timed-out";
  public static final String CANCELLED = "cancelled";
  public static final String DENIED = "denied";
  public static final String CREDENTIAL_FAILED = "credential-failed";
  public static final String LOST = "lost";
}
