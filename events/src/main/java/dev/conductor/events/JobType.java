package dev.conductor.events;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The catalogue of job types a step may name ({@code StepSpec.jobType}): what the pipeline
 * validator accepts and what every executor implements, each by exactly one job. A new job type is
 * one entry here plus its implementation in the executor.
 */
public enum JobType {
  /** Does nothing and succeeds. */
  NOOP("noop"),
  /** Waits {@code spec.millis}, then succeeds (cancellable, bound by the step's deadline). */
  SLEEP("sleep"),
  /** Fails with {@code spec.message}: for trying retries and failure paths. */
  FAIL("fail");

  private final String id;

  JobType(String id) {
    this.id = id;
  }

  /** The name a step gives in {@code jobType}. */
  public String id() {
    return id;
  }

  public static Optional<JobType> of(String id) {
    return Arrays.stream(values()).filter(t -> t.id.equals(id)).findFirst();
  }

  /** Every job type's name, sorted: what an error message lists. */
  public static Set<String> ids() {
    return Arrays.stream(values()).map(JobType::id).collect(Collectors.toCollection(TreeSet::new));
  }
}
