package dev.conductor.scheduler.run;

import java.util.List;

/** {@code GET /api/v1/runs/{runId}}. */
public record RunView(
    String runId,
    String workspace,
    String pipeline,
    String environment,
    String status,
    String reason,
    String failedStep,
    String detail,
    List<StepView> steps) {

  /** A step; {@code attempts} counts its tries so far. */
  public record StepView(String name, String status, int attempts) {}

  /**
   * A step in flight shows where its latest attempt is (waiting, scheduled, claimed, running);
   * otherwise its own status (pending, succeeded, failed, cancelled).
   */
  static String stepStatus(String stepStatus, String latestAttempt) {
    boolean inFlight = StepRow.QUEUED.equals(stepStatus) || StepRow.RUNNING.equals(stepStatus);
    return inFlight && latestAttempt != null ? latestAttempt : stepStatus;
  }
}
