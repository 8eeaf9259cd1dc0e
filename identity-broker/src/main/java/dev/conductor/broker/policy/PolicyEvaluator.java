package dev.conductor.broker.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Decides whether a subject holds a permission at a scope: allowed iff some assignment of the
 * subject, or of one of its groups, has a role containing the permission (or {@code *}) at a scope
 * that covers the requested one. Everything else is denied. Pure: no I/O, no clock.
 */
public final class PolicyEvaluator {
  private PolicyEvaluator() {}

  public static Evaluation evaluate(
      Policy policy,
      String subject,
      Collection<String> groups,
      String permission,
      String scopeText) {
    if (subject == null || subject.isBlank()) {
      return deny(policy, subject, permission, scopeText, "no principal");
    }
    if (permission == null || permission.isBlank()) {
      return deny(policy, subject, permission, scopeText, "no permission named");
    }
    Scope scope;
    try {
      scope = Scope.parse(scopeText);
    } catch (IllegalArgumentException e) {
      return deny(policy, subject, permission, scopeText, "invalid scope: " + e.getMessage());
    }
    Set<String> groupSet = groups == null ? Set.of() : Set.copyOf(groups);
    List<Assignment> matched = new ArrayList<>();
    for (Assignment a : policy.assignments()) {
      boolean mine =
          a.principal() != null ? a.principal().equals(subject) : groupSet.contains(a.group());
      if (!mine || !a.scope().covers(scope)) {
        continue;
      }
      Set<String> permissions = policy.roles().getOrDefault(a.role(), Set.of());
      if (permissions.contains(permission) || permissions.contains(Policy.ANY)) {
        matched.add(a);
      }
    }
    if (matched.isEmpty()) {
      return deny(
          policy,
          subject,
          permission,
          scope.toString(),
          subject + " holds no role with " + permission + " covering " + scope);
    }
    Assignment first = matched.get(0);
    String reason =
        permission
            + " at "
            + scope
            + " granted to "
            + subject
            + " by role "
            + first.role()
            + " at "
            + first.scope()
            + (first.group() != null ? " through group " + first.group() : "");
    return new Evaluation(
        true,
        subject,
        permission,
        scope.toString(),
        List.copyOf(matched),
        reason,
        policy.version());
  }

  private static Evaluation deny(
      Policy policy, String subject, String permission, String scope, String reason) {
    return new Evaluation(false, subject, permission, scope, List.of(), reason, policy.version());
  }
}
