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
 * secret, groups}], "assignments": [{principal | group, role, scope}]}}. Secrets are only read
 * here, to be hashed; they are never logged ({@link SeedClient#toString} hides them).
 */
public record Seed(
    String policyVersion,
    Map<String, List<String>> roles,
    List<SeedClient> clients,
    List<SeedAssignment> assignments) {

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
    return new Policy(policyVersion, Map.copyOf(roleSets), list);
  }

  private static Assignment toAssignment(SeedAssignment a, int index) {
    try {
      return new Assignment(a.principal(), a.group(), a.role(), Scope.parse(a.scope()));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException("seed: /assignments/" + index + ": " + e.getMessage());
    }
  }
}
