package dev.conductor.e2e;

import static dev.conductor.e2e.Conductor.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.conductor.deploy.local.LocalStack;
import dev.conductor.events.KafkaEvents;
import dev.conductor.events.Principals;
import dev.conductor.events.Topics;
import dev.conductor.platform.problem.ProblemType;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Events that can never be published do not hold up the runs behind them: a run whose parameters
 * would make its events too large is refused at the API with nothing stored, one just under the
 * limit runs, and an event for a topic that has gone from the broker is parked with its reason
 * while the runs started after it succeed.
 */
class UnpublishableEventsE2ETest {
  private static final String SCHEDULER_CHANGES = Topics.changes(Principals.SCHEDULER_SERVICE);

  private static final String WS = "demo";
  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

  /**
   * Parameters of at most this many bytes as JSON are accepted: half an event's limit, as the
   * trigger's RunResource derives it (its jar is not on this module's class path).
   */
  private static final int PARAMETERS_LIMIT = KafkaEvents.MAX_VALUE_BYTES / 2;

  private static final String PIPELINE =
      """
      {"runAs": "etl-bot", "environments": ["dev"], "parameters": {"type": "object"},
       "steps": [{"name": "only", "jobType": "noop", "resourceClass": "smallrc"}]}
      """;

  private static Conductor conductor;

  @BeforeAll
  static void startStack() {
    conductor = Conductor.start();
    conductor.putPipeline("alice", WS, "plain", PIPELINE).then().statusCode(201);
  }

  @AfterAll
  static void stopStack() {
    if (conductor != null) {
      conductor.close();
    }
  }

  @Test
  void parametersOverTheEventLimitAreA422AndTheRunsAroundThemGo() {
    problem(
            conductor.startRun("alice", WS, "plain", body(PARAMETERS_LIMIT + 1)),
            ProblemType.TOO_LARGE)
        .body("field", equalTo("/parameters"));

    // Just under the limit: every event of the run (the request carries the pipeline as well)
    // still fits, so it runs through the whole stack.
    String large = startRun(body(PARAMETERS_LIMIT - 64));
    String next = startRun(body(16));
    awaitSucceeded(large);
    awaitSucceeded(next);
    assertThat(conductor.deadLetters()).isEmpty();
  }

  /**
   * Ops delete {@code conductor.changes} by mistake. The scheduler's {@code config.changed} for the
   * next change of its pools section cannot be published: it is parked with the reason, not retried
   * for ever, and the run events the scheduler writes after it are published as usual.
   */
  @Test
  void anEventForAMissingTopicIsParkedAndLaterRunsSucceed() throws Exception {
    try (Admin admin = Admin.create(conductor.stack.kafkaClient(Principals.ADMIN))) {
      admin.deleteTopics(List.of(SCHEDULER_CHANGES)).all().get(30, TimeUnit.SECONDS);
      await("the topic is gone")
          .atMost(Duration.ofSeconds(30))
          .until(() -> !admin.listTopics().names().get().contains(SCHEDULER_CHANGES));
      try {
        describeDev("changed while the scheduler's changes topic is gone");
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          runs.add(startRun(body(16)));
        }
        // Not held up behind the unpublishable event: each finishes as fast as any run here.
        runs.forEach(UnpublishableEventsE2ETest::awaitSucceeded);

        await("the scheduler parks its config.changed with the reason")
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> parkedReason(SCHEDULER_CHANGES).isPresent());
        assertThat(parkedReason(SCHEDULER_CHANGES).orElseThrow())
            .isEqualTo("topic " + SCHEDULER_CHANGES + " does not exist on the broker");
        assertThat(conductor.deadLetters()).isEmpty();
      } finally {
        admin
            .createTopics(
                List.of(new NewTopic(SCHEDULER_CHANGES, Optional.of(1), Optional.empty())))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
    }
  }

  private static void describeDev(String description) {
    String pools = conductor.url(LocalStack.SCHEDULER) + "/api/v1/config/pools";
    Map<String, Object> doc =
        conductor.as("admin").get(pools).then().statusCode(200).extract().jsonPath().getMap("");
    Map<String, Object> changed = new LinkedHashMap<>(doc);
    changed.put("dev", Map.of("description", description));
    conductor
        .as("admin")
        .contentType("application/json")
        .body(changed)
        .put(pools)
        .then()
        .statusCode(200)
        .body("changed", equalTo(true));
  }

  /** Why the scheduler parked its outbox row for {@code topic}, if it did. */
  private static Optional<String> parkedReason(String topic) throws Exception {
    try (Connection db =
            DriverManager.getConnection(
                conductor.stack.jdbcUrl(), conductor.stack.dbUser(), conductor.stack.dbPassword());
        PreparedStatement select =
            db.prepareStatement(
                "SELECT parked_reason FROM scheduler.outbox"
                    + " WHERE topic = ? AND parked_at IS NOT NULL")) {
      select.setString(1, topic);
      try (ResultSet rs = select.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  /** A run body whose parameters take {@code bytes} bytes as JSON. */
  private static String body(int bytes) {
    String padding = "x".repeat(bytes - "{\"pad\":\"\"}".length());
    return "{\"environment\":\"dev\",\"parameters\":{\"pad\":\"" + padding + "\"}}";
  }

  private static String startRun(String body) {
    return conductor
        .startRun("alice", WS, "plain", body)
        .then()
        .statusCode(201)
        .extract()
        .path("runId");
  }

  private static void awaitSucceeded(String runId) {
    await("run " + runId + " succeeds")
        .atMost(RUN_TIMEOUT)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> "succeeded".equals(conductor.run(runId).jsonPath().getString("status")));
  }
}
