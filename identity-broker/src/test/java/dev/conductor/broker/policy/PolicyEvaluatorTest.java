package dev.conductor.broker.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicyEvaluatorTest {
  private static final Policy POLICY =
      new Policy(
          "v1",
          Map.of(
              "admin", Set.of("*"),
              "developer", Set.of("pipeline.read", "pipeline.write", "pipeline.run"),
              "viewer", Set.of("pipeline.read"),
              "identity-user", Set.of("identity.use")),
          List.of(
              Assignment.ofPrincipal("root", "admin", "/"),
              Assignment.ofPrincipal("alice", "developer", "/workspaces/demo"),
              Assignment.ofPrincipal(
                  "alice", "identity-user", "/workspaces/demo/identities/etl-bot"),
              Assignment.ofPrincipal("carol", "viewer", "/workspaces/demo"),
              Assignment.ofGroup("data-team", "developer", "/workspaces/data")));

  private static Evaluation check(String who, List<String> groups, String perm, String scope) {
    return PolicyEvaluator.evaluate(POLICY, who, groups, perm, scope);
  }

  @Test
  void assignmentIsInheritedDownward() {
    Evaluation e = check("alice", List.of(), "pipeline.run", "/workspaces/demo/pipelines/x");
    assertThat(e.allowed()).isTrue();
    assertThat(e.effect()).isEqualTo("allow");
    assertThat(e.matchedDescriptions())
        .containsExactly("principal:alice role:developer scope:/workspaces/demo");
    assertThat(e.policyVersion()).isEqualTo("v1");
    assertThat(e.reason()).contains("developer");
  }

  @Test
  void siblingAndParentScopesAreDenied() {
    assertThat(check("alice", List.of(), "pipeline.run", "/workspaces/demo2/pipelines/x").allowed())
        .isFalse();
    assertThat(check("alice", List.of(), "pipeline.run", "/workspaces").allowed()).isFalse();
    assertThat(
            check("alice", List.of(), "identity.use", "/workspaces/demo/identities/other")
                .allowed())
        .isFalse();
    assertThat(
            check("alice", List.of(), "identity.use", "/workspaces/demo/identities/etl-bot")
                .allowed())
        .isTrue();
  }

  @Test
  void permissionMustBeInTheRole() {
    Evaluation e = check("carol", List.of(), "pipeline.run", "/workspaces/demo/pipelines/x");
    assertThat(e.allowed()).isFalse();
    assertThat(e.matched()).isEmpty();
    assertThat(e.reason()).contains("carol").contains("pipeline.run");
    assertThat(check("carol", List.of(), "pipeline.read", "/workspaces/demo/pipelines/x").allowed())
        .isTrue();
  }

  @Test
  void groupsGrantTheirAssignments() {
    Evaluation e =
        check("dave", List.of("data-team"), "pipeline.run", "/workspaces/data/pipelines/p");
    assertThat(e.allowed()).isTrue();
    assertThat(e.reason()).contains("through group data-team");
    assertThat(check("dave", List.of(), "pipeline.run", "/workspaces/data/pipelines/p").allowed())
        .isFalse();
    // A subject named like a group gets nothing from the group's assignment.
    assertThat(check("data-team", List.of(), "pipeline.run", "/workspaces/data").allowed())
        .isFalse();
  }

  @Test
  void wildcardRoleGrantsEveryPermissionEverywhere() {
    assertThat(check("root", List.of(), "policy.write", "/").allowed()).isTrue();
    assertThat(check("root", List.of(), "anything.at.all", "/pools/prod").allowed()).isTrue();
  }

  @Test
  void denyByDefault() {
    assertThat(check("nobody", List.of(), "pipeline.read", "/").allowed()).isFalse();
    assertThat(check(null, List.of(), "pipeline.read", "/").allowed()).isFalse();
    assertThat(check("alice", null, "", "/workspaces/demo").allowed()).isFalse();
    assertThat(PolicyEvaluator.evaluate(Policy.empty(), "root", List.of(), "x", "/").allowed())
        .isFalse();
  }

  @Test
  void invalidScopeIsDenied() {
    Evaluation e = check("root", List.of(), "pipeline.read", "/workspaces/../x");
    assertThat(e.allowed()).isFalse();
    assertThat(e.reason()).contains("invalid scope");
  }
}
