package dev.conductor.broker.policyconfig;

import static dev.conductor.broker.support.ConfigApi.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.conductor.broker.support.BrokerOutputs;
import dev.conductor.broker.support.BrokerTestResource;
import dev.conductor.broker.support.Jobs;
import dev.conductor.broker.support.Tokens;
import dev.conductor.events.Envelope;
import dev.conductor.events.EventType;
import dev.conductor.events.Topics;
import dev.conductor.events.data.DecisionRecorded;
import dev.conductor.events.data.JobDenied;
import dev.conductor.events.data.JobScheduled;
import dev.conductor.platform.trace.TraceContext;
import dev.conductor.testkit.KafkaProbe;
import dev.conductor.testkit.KafkaProbe.Seen;
import dev.conductor.testkit.KafkaTestResource;
import dev.conductor.testkit.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the workspace sections do to job decisions, through Kafka like in production. */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = BrokerTestResource.class, restrictToAnnotatedClass = false)
class SectionEffectsOnJobsTest {
  private static final String WS = "jobs-cfg";
  private static final Clock CLOCK = Clock.systemUTC();
  private static KafkaProbe probe;

  @BeforeAll
  static void startProbe() {
    probe = BrokerOutputs.probe();
  }

  @AfterAll
  static void stopProbe() {
    probe.close();
  }

  /** Schedules dave's job and answers its decision once recorded. */
  private static DecisionRecorded decide(String runAs, String pool) {
    String runId = UUID.randomUUID().toString();
    JobScheduled job =
        Jobs.scheduled(
            WS, runId, "dave", List.of(), runAs, pool, null, Instant.now().plusSeconds(600));
    probe.publish(
        Envelope.of(
            EventType.JOB_SCHEDULED, Envelope.sourceOf("scheduler-service"), runId, job, CLOCK),
        Topics.RUNS,
        TraceContext.newTrace());
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> recorded(runId).isPresent());
    return recorded(runId).orElseThrow();
  }

  private static Optional<DecisionRecorded> recorded(String runId) {
    return probe.events(runId).stream()
        .map(Seen::event)
        .filter(e -> e.type() == EventType.DECISION_RECORDED)
        .map(e -> (DecisionRecorded) e.data())
        .findFirst();
  }

  private static List<String> denials(String runId) {
    return probe.events(runId).stream()
        .map(Seen::event)
        .filter(e -> e.type() == EventType.JOB_DENIED)
        .map(e -> ((JobDenied) e.data()).reason())
        .toList();
  }

  private static String putAssignments(List<Map<String, String>> doc) {
    return put(Tokens.of("admin"), "/api/v1/workspaces/" + WS + "/config/assignments", doc)
        .statusCode(200)
        .extract()
        .path("version");
  }

  @Test
  void assignmentsAndIdentitiesDecideTheJob() {
    put(
            Tokens.of("admin"),
            "/api/v1/workspaces/" + WS + "/config/identities",
            Map.of("loader", Map.of("environments", List.of("dev"))))
        .statusCode(200)
        .body("changed", equalTo(true));
    Map<String, String> operator = Map.of("principal", "dave", "role", "operator");
    Map<String, String> identityUser =
        Map.of(
            "principal",
            "dave",
            "role",
            "identity-user",
            "scope",
            "/workspaces/" + WS + "/identities/loader");

    // Without identity.use on loader: denied.
    putAssignments(List.of(operator));
    DecisionRecorded before = decide("loader", "dev");
    assertThat(before.effect()).isEqualTo("deny");
    assertThat(String.join(" ", before.reasons())).contains("identity.use");

    // The section grants it: allowed, and the decision names the policy version that made it.
    String granted = putAssignments(List.of(operator, identityUser));
    DecisionRecorded allowed = decide("loader", "dev");
    assertThat(allowed.effect()).isEqualTo("allow");
    assertThat(allowed.policyVersion()).isEqualTo(granted);
    assertThat(allowed.matchedAssignments())
        .contains(
            "principal:dave role:identity-user scope:/workspaces/" + WS + "/identities/loader");

    // Not in an environment the identity does not allow, nor as an identity not defined here.
    DecisionRecorded prod = decide("loader", "test");
    assertThat(prod.effect()).isEqualTo("deny");
    assertThat(prod.reasons())
        .contains("run-as identity loader may not be used in environment test (allowed: dev)");
    assertThat(denials(prod.runId()))
        .singleElement()
        .asString()
        .contains("may not be used in environment test");
    DecisionRecorded ghost = decide("ghost", "dev");
    assertThat(ghost.effect()).isEqualTo("deny");
    assertThat(ghost.reasons()).contains("run-as identity ghost is not defined in workspace " + WS);

    // The section takes it away again: denied.
    String revoked = putAssignments(List.of(operator));
    DecisionRecorded after = decide("loader", "dev");
    assertThat(after.effect()).isEqualTo("deny");
    assertThat(after.policyVersion()).isEqualTo(revoked);
    assertThat(String.join(" ", after.reasons())).contains("identity.use");
  }
}
