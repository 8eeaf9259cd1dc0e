package dev.conductor.broker.decision;

import java.time.Instant;
import java.util.List;

/**
 * A stored decision: a job decision (kind {@code job}, one per dispatch of an attempt) or an access
 * check (kind {@code access}). {@code askedBy} is the caller that asked about someone else, if any.
 */
public record Decision(
    String decisionId,
    String kind,
    String effect,
    String principal,
    String runAs,
    String action,
    List<String> resources,
    List<String> matchedAssignments,
    String policyVersion,
    List<String> reasons,
    String runId,
    String attemptId,
    Integer attemptNumber,
    String askedBy,
    Instant decidedAt) {

  public static final String JOB = "job";
  public static final String ACCESS = "access";

  public Decision {
    resources = List.copyOf(resources);
    matchedAssignments = List.copyOf(matchedAssignments);
    reasons = List.copyOf(reasons);
  }

  public boolean allowed() {
    return "allow".equals(effect);
  }
}
