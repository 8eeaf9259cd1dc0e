package dev.conductor.broker.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SeedTest {
  private static final Seed DEFAULT = Seed.parse(SeedLoader.read("classpath:seed/local.json"));
  private static final Policy POLICY = DEFAULT.toPolicy();

  private static boolean allowed(String who, String perm, String scope) {
    return PolicyEvaluator.evaluate(POLICY, who, List.of(), perm, scope).allowed();
  }

  @Test
  void defaultSeedHasTheBuiltInRoles() {
    assertThat(DEFAULT.policyVersion()).isEqualTo("seed-1");
    assertThat(POLICY.roles().get("admin")).containsExactly("*");
    assertThat(POLICY.roles().get("developer"))
        .containsExactlyInAnyOrder(
            "pipeline.read",
            "pipeline.write",
            "pipeline.run",
            "run.read",
            "run.cancel",
            "config.read");
    assertThat(POLICY.roles().get("operator"))
        .containsExactlyInAnyOrder("pipeline.read", "pipeline.run", "run.read", "run.cancel");
    assertThat(POLICY.roles().get("viewer")).containsExactlyInAnyOrder("pipeline.read", "run.read");
    assertThat(POLICY.roles().get("auditor"))
        .containsExactlyInAnyOrder("audit.read", "run.read", "config.read");
    assertThat(POLICY.roles().get("identity-user")).isEqualTo(Set.of("identity.use"));
    assertThat(POLICY.roles().get("executor"))
        .containsExactlyInAnyOrder("attempt.claim", "pool.register", "pool.read");
  }

  @Test
  void defaultSeedHasTheDemoPrincipals() {
    assertThat(DEFAULT.clientsOrEmpty())
        .extracting(Seed.SeedClient::id)
        .contains(
            "admin",
            "alice",
            "bob",
            "carol",
            "auditor",
            "executor-dev",
            "executor-test",
            "executor-prod",
            "trigger-service",
            "scheduler-service",
            "audit-service");
    assertThat(allowed("admin", "policy.write", "/")).isTrue();
    assertThat(allowed("alice", "pipeline.run", "/workspaces/demo/pipelines/x")).isTrue();
    assertThat(allowed("alice", "identity.use", "/workspaces/demo/identities/etl-bot")).isTrue();
    assertThat(allowed("bob", "pipeline.run", "/workspaces/demo/pipelines/x")).isTrue();
    assertThat(allowed("bob", "identity.use", "/workspaces/demo/identities/etl-bot")).isFalse();
    assertThat(allowed("carol", "pipeline.run", "/workspaces/demo/pipelines/x")).isFalse();
    assertThat(allowed("carol", "run.read", "/workspaces/demo")).isTrue();
    assertThat(allowed("auditor", "audit.read", "/")).isTrue();
    assertThat(allowed("executor-dev", "attempt.claim", "/pools/dev")).isTrue();
    assertThat(allowed("executor-dev", "attempt.claim", "/pools/prod")).isFalse();
  }

  @Test
  void defaultSeedDefinesTheDemoIdentity() {
    RunAsIdentity etlBot = POLICY.identity("demo", "etl-bot").orElseThrow();
    assertThat(etlBot.environments()).containsExactly("dev", "prod", "test");
    assertThat(etlBot.seedOwned()).isTrue();
    assertThat(etlBot.tags()).containsEntry("team", "data");
    assertThat(POLICY.identity("other", "etl-bot")).isEmpty();
  }

  @Test
  void rejectsBadIdentities() {
    String head = "{\"policyVersion\":\"v\",\"roles\":{\"r\":[\"p\"]},\"identities\":[";
    assertThatThrownBy(
            () ->
                Seed.parse(
                    bytes(
                        head
                            + "{\"workspace\":\"w\",\"name\":\"a/b\","
                            + "\"environments\":[\"dev\"]}]}")))
        .hasMessageContaining("/identities/0");
    assertThatThrownBy(
            () ->
                Seed.parse(
                    bytes(
                        head + "{\"workspace\":\"w\",\"name\":\"a\"," + "\"environments\":[]}]}")))
        .hasMessageContaining("environments are required");
    assertThatThrownBy(
            () ->
                Seed.parse(
                    bytes(
                        head
                            + "{\"workspace\":\"w\",\"name\":\"a\",\"environments\":[\"dev\"]},"
                            + "{\"workspace\":\"w\",\"name\":\"a\",\"environments\":[\"x\"]}]}")))
        .hasMessageContaining("/identities/1 appears twice");
  }

  @Test
  void secretsNeverAppearInToString() {
    assertThat(DEFAULT.clientsOrEmpty().toString()).doesNotContain("alice-secret");
  }

  @Test
  void rejectsUnknownRolesAndBadScopes() {
    assertThatThrownBy(
            () ->
                Seed.parse(
                    bytes(
                        "{\"policyVersion\":\"v\",\"roles\":{\"r\":[\"p\"]},"
                            + "\"assignments\":[{\"principal\":\"a\",\"role\":\"x\",\"scope\":\"/\"}]}")))
        .hasMessageContaining("unknown role x");
    assertThatThrownBy(
            () ->
                Seed.parse(
                    bytes(
                        "{\"policyVersion\":\"v\",\"roles\":{\"r\":[\"p\"]},"
                            + "\"assignments\":[{\"principal\":\"a\",\"role\":\"r\",\"scope\":\"x\"}]}")))
        .hasMessageContaining("/assignments/0");
    assertThatThrownBy(() -> Seed.parse(bytes("{\"roles\":{}}")))
        .hasMessageContaining("policyVersion");
  }

  @Test
  void parseErrorsDoNotEchoTheInput() {
    assertThatThrownBy(() -> Seed.parse(bytes("{\"clients\":[{\"secret\":\"s3cr3t\" oops")))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t"));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
