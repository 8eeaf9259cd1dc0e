package dev.conductor.broker.policyconfig;

import dev.conductor.broker.policy.Policy;
import dev.conductor.broker.policy.PolicyEvaluator;
import dev.conductor.platform.auth.Caller;

/**
 * What the caller of a PUT holds under the policy in force: a section change may grant only what
 * its caller holds itself (no escalation, like Kubernetes RBAC). {@code *} is a permission of its
 * own here: only a caller holding {@code *} at a scope may grant {@code *} there.
 */
public record Grants(Caller caller, Policy policy) {
  public boolean holds(String permission, String scope) {
    return PolicyEvaluator.evaluate(policy, caller.subject(), caller.groups(), permission, scope)
        .allowed();
  }
}
