package dev.conductor.broker.policy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The local policy file: {@code {"policyVersion", "roles": {name: [permissions]}, "clients": [{id,
 * secret, groups}], "assignments": [{principal | group, role, scope}], "identities": [{workspace,
 * name, description, environments, tags}]}}. Secrets are only read here, to be hashed; they are
 * never logged ({@link SeedClient#toString} hides them). The seed's roles are upserted, never
 * deleted, and its assignments and identities are the seed-owned rows ({@link Owner#SEED}).
 */
public record Seed(
    String policyVersion,
    Map<String, List<String>> roles,
    List<SeedClient> clients,
    List<SeedAssignment> assignments,
    List<SeedIdentity> identities) {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public record SeedClient(String id, String secret, List<String> groups) {
    public List<String> groupsOrEmpty() {
      return groups == null ? List.of() : groups;
    }

    @Override
    public String toString() {
      return "SeedClient[" + id + " " + groupsOrEmpty() + "]";
    }
  }

  public record SeedAssignment(String principal, String group, String role, String scope) {}

  public record SeedIdentity(
      String workspace,
      String name,
      String description,
      List<String> environments,
      Map<String, String> tags) {}

  /**
   * Reads and checks a seed.
   *
   * @throws IllegalArgumentException naming the first problem found
   */
  public static Seed parse(byte[] json) {
    Seed seed;
    try {
      seed = JSON.readValue(json, Seed.class);
    } catch (IOException e) {
      // The message of a Jackson error may quote the input, which holds secrets: keep it out.
      throw new IllegalArgumentException("the seed is not valid JSON of the seed format");
    }
    seed.check();
    return seed;
  }

  private void check() {
    if (policyVersion == null || policyVersion.isBlank()) {
      throw new IllegalArgumentException("seed: policyVersion is required");
    }
    if (roles == null || roles.isEmpty()) {
      throw new IllegalArgumentException("seed: roles are required");
    }
    Set<String> ids = new HashSet<>();
    for (SeedClient c : clientsOrEmpty()) {
      if (c.id() == null || c.id().isBlank() || c.secret() == null || c.secret().isBlank()) {
        throw new IllegalArgumentException("seed: every client needs an id and a secret");
      }
      if (!ids.add(c.id())) {
        throw new IllegalArgumentException("seed: client " + c.id() + " appears twice");
      }
    }
    int i = 0;
    for (SeedAssignment a : assignmentsOrEmpty()) {
      if (!roles.containsKey(a.role())) {
        throw new IllegalArgumentException(
            "seed: /assignments/" + i + " names unknown role " + a.role());
      }
      toAssignment(a, i);
      i++;
    }
    Set<String> names = new HashSet<>();
    i = 0;
    for (SeedIdentity identity : identitiesOrEmpty()) {
      RunAsIdentity checked = toIdentity(identity, i);
      if (!names.add(checked.workspace() + "/" + checked.name())) {
        throw new IllegalArgumentException("seed: /identities/" + i + " appears twice");
      }
      i++;
    }
  }

  public List<SeedIdentity> identitiesOrEmpty() {
    return identities == null ? List.of() : identities;
  }

  /** The seed's identities as seed-owned policy identities. */
  public List<RunAsIdentity> runAsIdentities() {
    List<RunAsIdentity> list = new ArrayList<>();
    int i = 0;
    for (SeedIdentity identity : identitiesOrEmpty()) {
      list.add(toIdentity(identity, i++));
    }
    return list;
  }

  private static RunAsIdentity toIdentity(SeedIdentity s, int index) {
    String at = "seed: /identities/" + index + ": ";
    try {
      Scope.of(s.workspace(), s.name());
      if (s.environments() == null || s.environments().isEmpty()) {
        throw new IllegalArgumentException("environments are required");
      }
      Scope.of(s.environments().toArray(new String[0]));
      if (s.tags() != null && s.tags().values().stream().anyMatch(v -> v == null)) {
        throw new IllegalArgumentException("tag values are strings");
      }
      return new RunAsIdentity(
          s.workspace(),
          s.name(),
          s.description(),
          s.environments().stream().distinct().sorted().toList(),
          s.tags(),
          Owner.SEED);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(at + e.getMessage());
    }
  }

  public List<SeedClient> clientsOrEmpty() {
    return clients == null ? List.of() : clients;
  }

  public List<SeedAssignment> assignmentsOrEmpty() {
    return assignments == null ? List.of() : assignments;
  }

  /** The policy this seed describes. */
  public Policy toPolicy() {
    Map<String, Set<String>> roleSets =
        roles.entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, e -> new LinkedHashSet<>(e.getValue())));
    List<Assignment> list = new ArrayList<>();
    int i = 0;
    for (SeedAssignment a : assignmentsOrEmpty()) {
      list.add(toAssignment(a, i++));
    }
    return new Policy(policyVersion, Map.copyOf(roleSets), list, runAsIdentities());
  }

  private static Assignment toAssignment(SeedAssignment a, int index) {
    try {
      return new Assignment(a.principal(), a.group(), a.role(), Scope.parse(a.scope()));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException("seed: /assignments/" + index + ": " + e.getMessage());
    }
  }
}
