package dev.conductor.broker.policy;

import java.util.List;

/** The outcome of one permission check: the assignments that grant it (none means deny). */
public record Evaluation(
    boolean allowed,
    String principal,
    String permission,
    String scope,
    List<Assignment> matched,
    String reason,
    String policyVersion) {

  public String effect() {
    return allowed ? "allow" : "deny";
  }

  public List<String> matchedDescriptions() {
    return matched.stream().map(Assignment::describe).toList();
  }
}
