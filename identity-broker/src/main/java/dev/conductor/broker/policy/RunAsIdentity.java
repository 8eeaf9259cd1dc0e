package dev.conductor.broker.policy;

import java.util.List;
import java.util.Map;

/**
 * A run-as identity of a workspace: a job may run as it only in one of its {@code environments}
 * (the job's pool). {@code owner} is {@link Owner#SEED} or the workspace section that defined it.
 */
public record RunAsIdentity(
    String workspace,
    String name,
    String description,
    List<String> environments,
    Map<String, String> tags,
    String owner) {
  public RunAsIdentity {
    environments = List.copyOf(environments);
    tags = tags == null ? Map.of() : Map.copyOf(tags);
  }

  public boolean seedOwned() {
    return Owner.SEED.equals(owner);
  }
}
