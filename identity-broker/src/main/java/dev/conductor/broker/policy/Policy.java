package dev.conductor.broker.policy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One version of the policy: roles (name to permissions), assignments and run-as identities, each
 * the union of the seed's rows and the config sections' rows.
 */
public record Policy(
    String version,
    Map<String, Set<String>> roles,
    List<Assignment> assignments,
    List<RunAsIdentity> identities) {
  /** The permission that stands for every permission. */
  public static final String ANY = "*";

  public Policy {
    roles = Map.copyOf(roles);
    assignments = List.copyOf(assignments);
    identities = List.copyOf(identities);
  }

  public Policy(String version, Map<String, Set<String>> roles, List<Assignment> assignments) {
    this(version, roles, assignments, List.of());
  }

  public static Policy empty() {
    return new Policy("none", Map.of(), List.of());
  }

  /**
   * The identity {@code name} of {@code workspace}; a definition by the workspace's section wins
   * over the seed's (the seed only bootstraps local and test setups).
   */
  public Optional<RunAsIdentity> identity(String workspace, String name) {
    RunAsIdentity found = null;
    for (RunAsIdentity i : identities) {
      if (i.workspace().equals(workspace) && i.name().equals(name)) {
        if (found == null || found.seedOwned()) {
          found = i;
        }
      }
    }
    return Optional.ofNullable(found);
  }
}
