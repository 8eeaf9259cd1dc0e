package dev.conductor.broker.policy;

import java.util.Objects;

/** Binds a principal (token subject) or a group to a role at a scope. */
public record Assignment(String principal, String group, String role, Scope scope) {
  public Assignment {
    if ((principal == null) == (group == null)) {
      throw new IllegalArgumentException("an assignment names either a principal or a group");
    }
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(scope, "scope");
  }

  public static Assignment ofPrincipal(String principal, String role, String scope) {
    return new Assignment(principal, null, role, Scope.parse(scope));
  }

  public static Assignment ofGroup(String group, String role, String scope) {
    return new Assignment(null, group, role, Scope.parse(scope));
  }

  /** How decisions name the assignment, e.g. {@code principal:alice role:developer scope:/w}. */
  public String describe() {
    String who = principal != null ? "principal:" + principal : "group:" + group;
    return who + " role:" + role + " scope:" + scope;
  }
}
