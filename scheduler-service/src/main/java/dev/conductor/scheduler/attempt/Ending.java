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

  /** An executor reports only on attempts it claimed (and so holds slots for). */
  private static final List<String> CLAIMED = List.of(AttemptRow.CLAIMED, AttemptRow.RUNNING);

  /**
   * The broker decides a dispatch before any claim; by the time its answer arrives the dispatch may
   * already be back in the queue (unclaimed in time), and the attempt ends all the same.
   */
  private static final List<String> DISPATCHED = List.of(AttemptRow.WAITING, AttemptRow.SCHEDULED);

  public static Ending succeeded() {
    return new Ending(AttemptRow.SUCCEEDED, CLAIMED, Kind.SUCCEEDED, null, null);
  }

  public static Ending failed(String detail) {
    return new Ending(AttemptRow.FAILED, CLAIMED, Kind.RETRYABLE, "step-failed", detail);
  }

  public static Ending timedOut(String detail) {
    return new Ending(AttemptRow.TIMED_OUT, CLAIMED, Kind.RETRYABLE, "step-failed", detail);
  }

  /** The executor gave the attempt up (e.g. it shut down): another attempt may succeed. */
  public static Ending cancelled(String detail) {
    return new Ending(AttemptRow.CANCELLED, CLAIMED, Kind.RETRYABLE, "step-failed", detail);
  }

  /** Its lease passed; the row was already moved by the sweeper. */
  public static Ending lost(String detail) {
    return new Ending(AttemptRow.LOST, List.of(), Kind.RETRYABLE, "lost", detail);
  }

  public static Ending denied(String detail) {
    return new Ending(AttemptRow.DENIED, DISPATCHED, Kind.FATAL, "denied", detail);
  }

  public static Ending credentialFailed(String detail) {
    return new Ending(
        AttemptRow.CREDENTIAL_FAILED, DISPATCHED, Kind.FATAL, "credential-failed", detail);
  }
}
