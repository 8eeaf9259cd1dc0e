package dev.conductor.scheduler.run;

import dev.conductor.events.data.StepSpec;
import java.util.List;
import java.util.Set;

/** A stored step of a run, with its snapshot definition and its slot cost. */
public record StepRow(
    String runId,
    String name,
    int position,
    List<String> dependsOn,
    StepSpec definition,
    int slots,
    int maxRetries,
    String status) {
  public static final String PENDING = "pending";
  public static final String QUEUED = "queued";
  public static final String RUNNING = "running";
  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";
  public static final String CANCELLED = "cancelled";

  public static final Set<String> OPEN = Set.of(PENDING, QUEUED, RUNNING);

  /** How many attempts the step may have in all: the first plus its retries. */
  public int attemptBudget() {
    return maxRetries + 1;
  }
}
