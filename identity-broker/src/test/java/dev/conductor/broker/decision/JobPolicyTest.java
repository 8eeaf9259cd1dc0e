package dev.conductor.broker.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conductor.broker.policy.Owner;
import dev.conductor.broker.policy.Policy;
import dev.conductor.broker.policy.RunAsIdentity;
import dev.conductor.broker.policy.Seed;
import dev.conductor.broker.support.Jobs;
import dev.conductor.events.data.JobScheduled;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobPolicyTest {
  private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
  private static final Policy POLICY = seed();

  private static Policy seed() {
    try (InputStream in = JobPolicyTest.class.getResourceAsStream("/seed/local.json")) {
      return Seed.parse(in.readAllBytes()).toPolicy();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Decision decide(JobScheduled job) {
    return JobPolicy.decide(POLICY, job, "d-1", NOW);
  }

  private static JobScheduled job(String requester, List<String> groups, String runAs) {
    return Jobs.scheduled(
        "run-1", requester, groups, runAs, "dev", Jobs.warehouseAccess(), NOW.plusSeconds(600));
  }

  @Test
  void aliceMayRunAsEtlBot() {
    Decision d = decide(job("alice", List.of(), "etl-bot"));
    assertThat(d.effect()).isEqualTo("allow");
    assertThat(d.kind()).isEqualTo(Decision.JOB);
    assertThat(d.principal()).isEqualTo("alice");
    assertThat(d.runAs()).isEqualTo("etl-bot");
    assertThat(d.policyVersion()).isEqualTo("seed-1");
    assertThat(d.resources())
        .containsExactly(
            "/workspaces/demo/pipelines/etl",
            "/workspaces/demo/identities/etl-bot",
            "warehouse.sales",
            "https://api.example/reports");
    assertThat(d.matchedAssignments())
        .containsExactly(
            "principal:alice role:developer scope:/workspaces/demo",
            "principal:alice role:identity-user scope:/workspaces/demo/identities/etl-bot");
    assertThat(d.reasons()).hasSize(2);
  }

  @Test
  void bobLacksIdentityUse() {
    Decision d = decide(job("bob", List.of(), "etl-bot"));
    assertThat(d.effect()).isEqualTo("deny");
    assertThat(d.reasons()).singleElement().asString().contains("identity.use");
  }

  @Test
  void carolLacksPipelineRun() {
    Decision d = decide(job("carol", List.of(), "etl-bot"));
    assertThat(d.effect()).isEqualTo("deny");
    assertThat(d.reasons()).anySatisfy(r -> assertThat(r).contains("pipeline.run"));
  }

  @Test
  void aliceMayNotUseAnotherIdentity() {
    assertThat(decide(job("alice", List.of(), "admin-bot")).effect()).isEqualTo("deny");
  }

  @Test
  void anUndefinedIdentityIsDenied() {
    JobScheduled job =
        Jobs.scheduled(
            "other", "run-1", "admin", List.of(), "etl-bot", "dev", null, NOW.plusSeconds(600));
    Decision d = decide(job);
    assertThat(d.effect()).isEqualTo("deny");
    assertThat(d.reasons()).contains("run-as identity etl-bot is not defined in workspace other");
  }

  @Test
  void anIdentityIsUsableOnlyInItsEnvironments() {
    Policy devAndTest =
        new Policy(
            "v",
            POLICY.roles(),
            POLICY.assignments(),
            List.of(
                new RunAsIdentity(
                    "demo", "etl-bot", null, List.of("dev", "test"), Map.of(), Owner.SEED)));
    JobScheduled prod =
        Jobs.scheduled("run-1", "alice", List.of(), "etl-bot", "prod", null, NOW.plusSeconds(600));
    Decision d = JobPolicy.decide(devAndTest, prod, "d-2", NOW);
    assertThat(d.effect()).isEqualTo("deny");
    assertThat(d.reasons())
        .containsExactly(
            "run-as identity etl-bot may not be used in environment prod (allowed: dev, test)");
    JobScheduled dev =
        Jobs.scheduled("run-1", "alice", List.of(), "etl-bot", "dev", null, NOW.plusSeconds(600));
    assertThat(JobPolicy.decide(devAndTest, dev, "d-3", NOW).effect()).isEqualTo("allow");
  }

  @Test
  void aSectionDefinitionOverridesTheSeeds() {
    Policy overridden =
        new Policy(
            "v",
            POLICY.roles(),
            POLICY.assignments(),
            List.of(
                new RunAsIdentity(
                    "demo", "etl-bot", null, List.of("dev", "test"), Map.of(), Owner.SEED),
                new RunAsIdentity(
                    "demo", "etl-bot", null, List.of("prod"), Map.of(), Owner.workspace("demo"))));
    JobScheduled dev =
        Jobs.scheduled("run-1", "alice", List.of(), "etl-bot", "dev", null, NOW.plusSeconds(600));
    assertThat(JobPolicy.decide(overridden, dev, "d-4", NOW).reasons())
        .contains("run-as identity etl-bot may not be used in environment dev (allowed: prod)");
  }

  @Test
  void missingRequesterOrRunAsOrBadNamesDeny() {
    assertThat(decide(job(null, List.of(), "etl-bot")).effect()).isEqualTo("deny");
    Decision noRunAs = decide(job("alice", List.of(), null));
    assertThat(noRunAs.effect()).isEqualTo("deny");
    assertThat(noRunAs.reasons()).contains("the job names no run-as identity");
    assertThat(decide(job("alice", List.of(), "etl-bot/../x")).effect()).isEqualTo("deny");
  }
}
