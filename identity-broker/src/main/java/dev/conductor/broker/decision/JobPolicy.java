package dev.conductor.broker.decision;

import dev.conductor.broker.policy.Evaluation;
import dev.conductor.broker.policy.Policy;
import dev.conductor.broker.policy.PolicyEvaluator;
import dev.conductor.broker.policy.RunAsIdentity;
import dev.conductor.broker.policy.Scope;
import dev.conductor.events.data.DataAccess;
import dev.conductor.events.data.JobScheduled;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The decision about one scheduled attempt: its requester needs {@code pipeline.run} on the
 * pipeline and {@code identity.use} on the run-as identity, and that identity must be defined in
 * the job's workspace for the job's environment (its pool). Pure; deny by default (no requester, no
 * run-as identity or a name that is not a valid scope segment is a deny, not an error).
 */
public final class JobPolicy {
  public static final String ACTION = "pipeline.run,identity.use";

  private JobPolicy() {}

  public static Decision decide(Policy policy, JobScheduled job, String decisionId, Instant now) {
    String principal =
        job.requester() == null || job.requester().subject() == null
            ? "unknown"
            : job.requester().subject();
    List<String> groups =
        job.requester() == null || job.requester().groups() == null
            ? List.of()
            : job.requester().groups();
    List<String> resources = new ArrayList<>();
    List<String> grants = new ArrayList<>();
    List<String> denials = new ArrayList<>();
    Set<String> matched = new LinkedHashSet<>();

    Scope pipelineScope = null;
    Scope identityScope = null;
    try {
      pipelineScope = Scope.of("workspaces", job.workspace(), "pipelines", job.pipeline());
      resources.add(pipelineScope.toString());
    } catch (IllegalArgumentException e) {
      denials.add("the job's workspace or pipeline is not a valid name: " + e.getMessage());
    }
    if (job.runAs() == null || job.runAs().isBlank()) {
      denials.add("the job names no run-as identity");
    } else {
      try {
        identityScope = Scope.of("workspaces", job.workspace(), "identities", job.runAs());
        resources.add(identityScope.toString());
      } catch (IllegalArgumentException e) {
        denials.add("the job's run-as identity is not a valid name: " + e.getMessage());
      }
    }
    if (job.requester() == null || job.requester().subject() == null) {
      denials.add("the job names no requester");
    }
    if (denials.isEmpty()) {
      identityDenial(policy, job).ifPresent(denials::add);
      for (Evaluation e :
          List.of(
              PolicyEvaluator.evaluate(
                  policy, principal, groups, "pipeline.run", pipelineScope.toString()),
              PolicyEvaluator.evaluate(
                  policy, principal, groups, "identity.use", identityScope.toString()))) {
        matched.addAll(e.matchedDescriptions());
        (e.allowed() ? grants : denials).add(e.reason());
      }
    }
    if (job.dataAccess() != null) {
      for (DataAccess access : job.dataAccess()) {
        if (access != null && access.resource() != null) {
          resources.add(access.resource());
        }
      }
    }
    boolean allowed = denials.isEmpty();
    return new Decision(
        decisionId,
        Decision.JOB,
        allowed ? "allow" : "deny",
        principal,
        job.runAs(),
        ACTION,
        resources,
        List.copyOf(matched),
        policy.version(),
        allowed ? grants : denials,
        job.runId(),
        job.attemptId(),
        job.attemptNumber(),
        null,
        now);
  }

  /**
   * Why the run-as identity may not be used by this job, if it may not: an identity that is not
   * defined in the job's workspace, or not for the job's environment, grants nothing, whatever
   * roles the requester holds on its scope.
   */
  private static Optional<String> identityDenial(Policy policy, JobScheduled job) {
    Optional<RunAsIdentity> identity = policy.identity(job.workspace(), job.runAs());
    if (identity.isEmpty()) {
      return Optional.of(
          "run-as identity " + job.runAs() + " is not defined in workspace " + job.workspace());
    }
    List<String> allowed = identity.get().environments();
    if (!allowed.contains(job.pool())) {
      return Optional.of(
          "run-as identity "
              + job.runAs()
              + " may not be used in environment "
              + job.pool()
              + " (allowed: "
              + String.join(", ", allowed)
              + ")");
    }
    return Optional.empty();
  }
}
