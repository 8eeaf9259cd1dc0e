package dev.conductor.broker.access;

import dev.conductor.broker.decision.Decision;
import dev.conductor.broker.decision.Decisions;
import dev.conductor.broker.policy.Evaluation;
import dev.conductor.broker.policy.PolicyEvaluator;
import dev.conductor.broker.policy.PolicyStore;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.List;
import java.util.UUID;

/** Evaluates an access check against the policy in force and records it as a decision. */
@ApplicationScoped
public class AccessDecisions {
  private final PolicyStore policies;
  private final Decisions decisions;
  private final Clock clock;

  public AccessDecisions(PolicyStore policies, Decisions decisions, Clock clock) {
    this.policies = policies;
    this.decisions = decisions;
    this.clock = clock;
  }

  /**
   * Decides whether {@code principal} (in {@code groups}) holds {@code permission} at {@code
   * scope}; {@code askedBy} is the caller when it asks about someone else, else null.
   */
  public Uni<Decision> decide(
      String principal, List<String> groups, String permission, String scope, String askedBy) {
    Evaluation e =
        PolicyEvaluator.evaluate(policies.policy(), principal, groups, permission, scope);
    return record(
        principal,
        e.effect(),
        permission,
        e.scope(),
        e.matchedDescriptions(),
        e.policyVersion(),
        List.of(e.reason()),
        askedBy);
  }

  /** Records a deny that needed no evaluation (e.g. a token that does not verify). */
  public Uni<Decision> refuse(
      String principal, String permission, String scope, String reason, String askedBy) {
    return record(
        principal,
        "deny",
        permission,
        scope,
        List.of(),
        policies.policy().version(),
        List.of(reason),
        askedBy);
  }

  private Uni<Decision> record(
      String principal,
      String effect,
      String permission,
      String scope,
      List<String> matched,
      String policyVersion,
      List<String> reasons,
      String askedBy) {
    Decision d =
        new Decision(
            UUID.randomUUID().toString(),
            Decision.ACCESS,
            effect,
            principal,
            null,
            permission,
            scope == null ? List.of() : List.of(scope),
            matched,
            policyVersion,
            reasons,
            null,
            null,
            null,
            askedBy,
            clock.instant());
    return decisions.insertAccess(d).replaceWith(d);
  }
}
