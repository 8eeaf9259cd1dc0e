package dev.conductor.broker.policy;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** One version of the RBAC policy: roles (name to permissions) and assignments. */
public record Policy(String version, Map<String, Set<String>> roles, List<Assignment> assignments) {
  /** The permission that stands for every permission. */
  public static final String ANY = "*";

  public Policy {
    roles = Map.copyOf(roles);
    assignments = List.copyOf(assignments);
  }

  public static Policy empty() {
    return new Policy("none", Map.of(), List.of());
  }
}
