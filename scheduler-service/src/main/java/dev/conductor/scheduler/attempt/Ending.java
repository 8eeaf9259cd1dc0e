package dev.conductor.scheduler.attempt;

import java.util.List;

/**
 * How an attempt ended and what that means for its step: success, a failure that may be retried
 * (with the run failure reason once retries run out), or a failure that ends the run at once.
 */
public record Ending(String status, List<String> from, Kind kind, String runReason, String detail) {
  public enum Kind {
    SUCCEEDED,
    RETRYABLE,
    FATAL
  }

  private static final List<String> LIVE =
      List.of(AttemptRow.SCHEDULED, AttemptRow.CLAIMED, AttemptRow.RUNNING);

  public static Ending succeeded() {
    return new Ending(AttemptRow.SUCCEEDED, LIVE, Kind.SUCCEEDED, null, null);
  }

  public static Ending failed(String detail) {
    return new Ending(AttemptRow.FAILED, LIVE, Kind.RETRYABLE, "step-failed", detail);
  }

  public static Ending timedOut(String detail) {
    return new Ending(AttemptRow.TIMED_OUT, LIVE, Kind.RETRYABLE, "step-failed", detail);
  }

  /** The executor gave the attempt up (e.g. it shut down): another attempt may succeed. */
  public static Ending cancelled(String detail) {
    return new Ending(AttemptRow.CANCELLED, LIVE, Kind.RETRYABLE, "step-failed", detail);
  }

  /** Its lease or claim deadline passed; the row was already moved by the sweeper. */
  public static Ending lost(String detail) {
    return new Ending(AttemptRow.LOST, List.of(), Kind.RETRYABLE, "lost", detail);
  }

  public static Ending denied(String detail) {
    return new Ending(AttemptRow.DENIED, LIVE, Kind.FATAL, "denied", detail);
  }

  public static Ending credentialFailed(String detail) {
    return new Ending(AttemptRow.CREDENTIAL_FAILED, LIVE, Kind.FATAL, "credential-failed", detail);
  }
}
