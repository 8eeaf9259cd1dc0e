package dev.conductor.e2e;

import static dev.conductor.e2e.Conductor.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conductor.deploy.local.LocalStack;
import dev.conductor.events.Topics;
import dev.conductor.platform.problem.ProblemType;
import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The user-visible paths of a run through Kafka, PostgreSQL and the five services, each its own
 * process started from its packaged jar. Tests share one stack; the ledger-tampering test runs last
 * because it breaks verification on purpose.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RunLifecycleE2ETest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);
  private static final String WS = "demo";
  private static final String PIPELINE =
      """
      {"description": "nightly load", "runAs": "etl-bot", "environments": ["dev"],
       "tags": {"team": "core"},
       "parameters": {"type": "object", "required": ["date"],
                      "properties": {"date": {"type": "string",
                                              "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}}},
       "steps": [
         {"name": "extract-a", "jobType": "sleep", "spec": {"millis": 1500}, "resourceClass": "smallrc"},
         {"name": "extract-b", "jobType": "sleep", "spec": {"millis": 1500}, "resourceClass": "smallrc"},
         {"name": "load", "jobType": "noop", "resourceClass": "smallrc",
          "dependsOn": ["extract-a", "extract-b"],
          "dataAccess": [{"resource": "warehouse", "permissions": ["read", "write"]}]}]}
      """;
  private static final String BROKEN =
      """
      {"runAs": "etl-bot", "environments": ["dev"], "parameters": {"type": "object"},
       "steps": [{"name": "prepare", "jobType": "noop", "resourceClass": "smallrc"},
                 {"name": "explode", "jobType": "fail", "spec": {"message": "disk full"},
                  "resourceClass": "smallrc", "dependsOn": ["prepare"]}]}
      """;

  private static Conductor conductor;
  private static final List<String> finishedRuns = new java.util.ArrayList<>();

  @BeforeAll
  static void startStack() {
    conductor = Conductor.start();
    conductor.putPipeline("alice", WS, "etl", PIPELINE).then().statusCode(201);
    conductor.putPipeline("alice", WS, "broken", BROKEN).then().statusCode(201);
  }

  @AfterAll
  static void stopStack() {
    if (conductor != null) {
      conductor.close();
    }
  }

  @Test
  @Order(1)
  void parallelStepsThenTheirDependentSucceedInOrder() {
    String runId =
        startRun(
            "alice", "etl", "{\"environment\":\"dev\",\"parameters\":{\"date\":\"2026-11-26\"}}");
    awaitStatus(runId, "succeeded");
    List<JsonNode> timeline = timeline(runId, "run.succeeded");

    JsonNode aStarted = find(timeline, "attempt.started", "extract-a");
    JsonNode bStarted = find(timeline, "attempt.started", "extract-b");
    JsonNode aDone = find(timeline, "attempt.succeeded", "extract-a");
    JsonNode bDone = find(timeline, "attempt.succeeded", "extract-b");
    JsonNode loadScheduled = find(timeline, "job.scheduled", "load");
    // The two extracts overlap: each starts before the other one finishes.
    assertThat(time(aStarted)).isBefore(time(bDone));
    assertThat(time(bStarted)).isBefore(time(aDone));
    // load waits for both.
    assertThat(timeline.indexOf(loadScheduled))
        .isGreaterThan(timeline.indexOf(aDone))
        .isGreaterThan(timeline.indexOf(bDone));
    assertThat(time(loadScheduled)).isAfterOrEqualTo(time(aDone)).isAfterOrEqualTo(time(bDone));
    // load declared data access: the broker minted a credential and revoked it at the end.
    assertThat(types(timeline)).contains("credential.issued", "credential.revoked");
    finishedRuns.add(runId);
  }

  @Test
  @Order(2)
  void aPlainKafkaProducerStartsARun() {
    String key = "e2e-" + UUID.randomUUID();
    conductor.send(
        Conductor.trigger(
            key, conductor.stack.triggerToken("alice"), "etl", "{\"date\":\"2026-11-27\"}"));
    String runId = awaitRunRequested(key);
    awaitStatus(runId, "succeeded");
    finishedRuns.add(runId);
  }

  @Test
  @Order(3)
  void aFailingStepFailsTheRunAndTheTimelineNamesIt() {
    String runId = startRun("alice", "broken", "{\"environment\":\"dev\",\"parameters\":{}}");
    JsonPath run = awaitStatus(runId, "failed");
    assertThat(run.getString("reason")).isEqualTo("step-failed");
    List<JsonNode> timeline = timeline(runId, "run.failed");
    assertThat(find(timeline, "attempt.failed", "explode")).isNotNull();
    assertThat(find(timeline, "run.failed", "explode")).isNotNull();
    finishedRuns.add(runId);
  }

  @Test
  @Order(4)
  void aRequesterWhoMayNotUseTheRunAsIdentityIsDeniedAtJobTime() {
    String runId =
        startRun(
            "bob", "etl", "{\"environment\":\"dev\",\"parameters\":{\"date\":\"2026-11-26\"}}");
    JsonPath run = awaitStatus(runId, "failed");
    assertThat(run.getString("reason")).isEqualTo("denied");
    List<JsonNode> timeline = timeline(runId, "run.failed");
    assertThat(types(timeline)).contains("decision.recorded", "job.denied");
    assertThat(types(timeline)).doesNotContain("job.authorized", "credential.issued");
    await()
        .atMost(RUN_TIMEOUT)
        .untilAsserted(() -> conductor.pool("dev").then().statusCode(200).body("used", equalTo(0)));
    finishedRuns.add(runId);
  }

  @Test
  @Order(5)
  void restApisRefuseWhoMayNot() {
    String body = "{\"environment\":\"dev\",\"parameters\":{\"date\":\"2026-11-26\"}}";
    problem(conductor.startRun("carol", WS, "etl", body), ProblemType.DENIED)
        .body("decisionId", notNullValue());
    problem(
        conductor
            .anonymous()
            .contentType("application/json")
            .body(body)
            .post(conductor.url(LocalStack.TRIGGER) + "/api/v1/workspaces/demo/pipelines/etl/runs"),
        ProblemType.UNAUTHENTICATED);
    problem(
        conductor.anonymous().get(conductor.url(LocalStack.SCHEDULER) + "/api/v1/runs/x"),
        ProblemType.UNAUTHENTICATED);
    problem(
        conductor.anonymous().get(conductor.url(LocalStack.AUDIT) + "/api/v1/runs/x/timeline"),
        ProblemType.UNAUTHENTICATED);
    problem(
        conductor
            .anonymous()
            .contentType("application/json")
            .body("{\"permission\":\"pipeline.run\",\"scope\":\"/\"}")
            .post(conductor.url(LocalStack.BROKER) + "/api/v1/access/check"),
        ProblemType.UNAUTHENTICATED);
  }

  @Test
  @Order(6)
  void invalidParametersAreA400NamingTheField() {
    problem(
            conductor.startRun(
                "alice",
                WS,
                "etl",
                "{\"environment\":\"dev\",\"parameters\":{\"date\":\"yesterday\"}}"),
            ProblemType.VALIDATION)
        .body("field", equalTo("/parameters/date"));
  }

  @Test
  @Order(7)
  void aMalformedMessageGoesToTheDlqAndProcessingContinues() {
    String token = conductor.stack.triggerToken("alice");
    ProducerRecord<String, byte[]> garbage =
        new ProducerRecord<>(Topics.TRIGGERS, "garbage", "not a cloud event".getBytes());
    garbage.headers().add("authorization", ("Bearer " + token).getBytes(StandardCharsets.UTF_8));
    conductor.send(garbage);
    String key = "e2e-" + UUID.randomUUID();
    conductor.send(Conductor.trigger(key, token, "etl", "{\"date\":\"2026-11-28\"}"));

    await()
        .atMost(RUN_TIMEOUT)
        .untilAsserted(
            () -> {
              List<ConsumerRecord<String, byte[]>> dlq = conductor.deadLetters();
              ConsumerRecord<String, byte[]> entry =
                  dlq.stream().filter(r -> "garbage".equals(r.key())).findFirst().orElseThrow();
              assertThat(header(entry, "dlq-reason")).isNotBlank();
              assertThat(header(entry, "dlq-source-topic")).isEqualTo(Topics.TRIGGERS);
              assertThat(entry.headers().lastHeader("authorization")).isNull();
            });
    String runId = awaitRunRequested(key);
    awaitStatus(runId, "succeeded");
    finishedRuns.add(runId);
  }

  /**
   * Ops pause a pool through the scheduler's pools section: a new run's job waits with reason
   * {@code paused} and starts only once the pool is resumed.
   */
  @Test
  @Order(8)
  void aPausedPoolHoldsNewJobsUntilItIsResumed() {
    String pools = conductor.url(LocalStack.SCHEDULER) + "/api/v1/config/pools";
    Map<String, Object> doc =
        conductor.as("admin").get(pools).then().statusCode(200).extract().jsonPath().getMap("");
    Map<String, Object> paused = new java.util.LinkedHashMap<>(doc);
    paused.put("dev", Map.of("paused", true));
    Map<String, Object> resumed = new java.util.LinkedHashMap<>(doc);
    resumed.put("dev", Map.of("paused", false));
    try {
      conductor
          .as("admin")
          .contentType("application/json")
          .body(paused)
          .put(pools)
          .then()
          .statusCode(200)
          .body("changed", equalTo(true))
          .body("changes[0].item", equalTo("dev"));
      String runId =
          startRun(
              "alice", "etl", "{\"environment\":\"dev\",\"parameters\":{\"date\":\"2026-11-28\"}}");
      await()
          .atMost(RUN_TIMEOUT)
          .until(
              () ->
                  conductor.readAll(Topics.RUNS).stream()
                      .filter(r -> "dev.conductor.job.waiting.v1".equals(header(r, "ce_type")))
                      .map(r -> tree(r.value()))
                      .anyMatch(
                          d ->
                              d.path("runId").asText().equals(runId)
                                  && d.path("reason").asText().equals("paused")));
      assertThat(conductor.run(runId).jsonPath().getString("status")).isNotEqualTo("succeeded");
      assertThat(conductor.pool("dev").jsonPath().getInt("used")).isZero();

      conductor
          .as("admin")
          .contentType("application/json")
          .body(resumed)
          .put(pools)
          .then()
          .statusCode(200)
          .body("changed", equalTo(true));
      awaitStatus(runId, "succeeded");
      finishedRuns.add(runId);
    } finally {
      conductor
          .as("admin")
          .contentType("application/json")
          .body(resumed)
          .put(pools)
          .then()
          .statusCode(200);
    }
  }

  /**
   * Access decisions are cached until the token expires; a role granted or taken is seen at once
   * all the same, because the broker announces the new policy version and the trigger-service drops
   * what it decided under the old one. One token throughout, so the cache is what answers.
   */
  @Test
  @Order(85)
  void aRoleGrantedOrTakenAppliesToTheNextCallOfTheSameToken() {
    String carol = conductor.stack.token("carol");
    // Bad parameters: with pipeline.run the answer is 400 and no run is created; without it, 403.
    String body = "{\"environment\":\"dev\",\"parameters\":{\"date\":\"yesterday\"}}";
    java.util.function.IntSupplier attempt =
        () ->
            io.restassured.RestAssured.given()
                .header("Authorization", "Bearer " + carol)
                .contentType("application/json")
                .body(body)
                .post(
                    conductor.url(LocalStack.TRIGGER)
                        + "/api/v1/workspaces/demo/pipelines/etl/runs")
                .statusCode();
    assertThat(attempt.getAsInt()).as("a viewer may not run").isEqualTo(403);
    assertThat(attempt.getAsInt()).as("the denial, cached").isEqualTo(403);

    putAssignments("[{\"principal\":\"carol\",\"role\":\"operator\"}]");
    try {
      await("the new role is seen")
          .atMost(Duration.ofSeconds(20))
          .until(() -> attempt.getAsInt() == 400);
    } finally {
      putAssignments("[]");
    }
    await("the role taken away is seen")
        .atMost(Duration.ofSeconds(20))
        .until(() -> attempt.getAsInt() == 403);
  }

  private static void putAssignments(String json) {
    conductor
        .as("admin")
        .contentType("application/json")
        .body(json)
        .put(conductor.url(LocalStack.BROKER) + "/api/v1/workspaces/demo/config/assignments")
        .then()
        .statusCode(200);
  }

  @Test
  @Order(90)
  void everyTimelineIsCausalInOneTraceAndTheLedgerVerifies() {
    assertThat(finishedRuns).hasSizeGreaterThanOrEqualTo(4);
    for (String runId : finishedRuns) {
      List<JsonNode> timeline = timeline(runId, null);
      Set<String> seen = new HashSet<>();
      Set<String> traces = new HashSet<>();
      for (JsonNode record : timeline) {
        String cause = record.path("causationId").asText(null);
        if (cause != null && ids(timeline).contains(cause)) {
          assertThat(seen).as("cause of %s comes before it", record).contains(cause);
        }
        seen.add(record.path("id").asText());
        String traceparent = record.path("traceparent").asText("");
        assertThat(traceparent).as("traceparent of %s", record).matches("00-[0-9a-f]{32}-.*");
        traces.add(traceparent.split("-")[1]);
      }
      assertThat(traces).as("trace ids of run %s", runId).hasSize(1);
    }
    conductor.verifyLedger().then().statusCode(200).body("ok", equalTo(true));
  }

  @Test
  @Order(100)
  void verifyNamesAnAlteredLedgerRow() throws Exception {
    String runId = finishedRuns.get(0);
    try (Connection db =
            DriverManager.getConnection(
                conductor.stack.jdbcUrl(), conductor.stack.dbUser(), conductor.stack.dbPassword());
        Statement statement = db.createStatement()) {
      statement.execute("ALTER TABLE audit.ledger DISABLE TRIGGER ledger_append_only");
      int chain;
      long seq;
      String id;
      try (PreparedStatement select =
          db.prepareStatement(
              "SELECT chain, seq, id FROM audit.ledger WHERE record_key = ? AND type = ?")) {
        select.setString(1, runId);
        select.setString(2, "dev.conductor.attempt.succeeded.v1");
        try (ResultSet rs = select.executeQuery()) {
          assertThat(rs.next()).isTrue();
          chain = rs.getInt(1);
          seq = rs.getLong(2);
          id = rs.getString(3);
        }
      }
      try (PreparedStatement update =
          db.prepareStatement(
              "UPDATE audit.ledger SET event = replace(event, 'succeeded', 'skipped')"
                  + " WHERE chain = ? AND seq = ?")) {
        update.setInt(1, chain);
        update.setLong(2, seq);
        assertThat(update.executeUpdate()).isEqualTo(1);
      }
      conductor
          .verifyLedger()
          .then()
          .statusCode(200)
          .body("ok", equalTo(false))
          .body("firstBad", notNullValue())
          .body("firstBad.chain", equalTo(chain))
          .body("firstBad.seq", equalTo((int) seq))
          .body("firstBad.eventId", equalTo(id));
    }
  }

  private static String startRun(String principal, String pipeline, String body) {
    return conductor
        .startRun(principal, WS, pipeline, body)
        .then()
        .statusCode(201)
        .extract()
        .path("runId");
  }

  private static JsonPath awaitStatus(String runId, String status) {
    await()
        .atMost(RUN_TIMEOUT)
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> conductor.run(runId).then().statusCode(200).body("status", equalTo(status)));
    return conductor.run(runId).jsonPath();
  }

  private static String awaitRunRequested(String idempotencyKey) {
    return await()
        .atMost(RUN_TIMEOUT)
        .until(
            () ->
                conductor.readAll(Topics.RUN_REQUESTS).stream()
                    .filter(r -> "dev.conductor.run.requested.v1".equals(header(r, "ce_type")))
                    .map(r -> tree(r.value()))
                    .filter(d -> idempotencyKey.equals(d.path("idempotencyKey").asText()))
                    .map(d -> d.path("runId").asText())
                    .findFirst()
                    .orElse(null),
            id -> id != null);
  }

  /** The run's timeline once it holds {@code lastType} (the audit trails the run slightly). */
  private static List<JsonNode> timeline(String runId, String lastType) {
    return await()
        .atMost(RUN_TIMEOUT)
        .until(
            () -> {
              var response = conductor.timeline(runId);
              if (response.statusCode() != 200) {
                return List.<JsonNode>of();
              }
              List<JsonNode> records = new java.util.ArrayList<>();
              tree(response.asByteArray()).path("records").forEach(records::add);
              return records;
            },
            records ->
                !records.isEmpty() && (lastType == null || types(records).contains(lastType)));
  }

  private static JsonNode find(List<JsonNode> timeline, String type, String step) {
    return timeline.stream()
        .filter(r -> r.path("type").asText().equals("dev.conductor." + type + ".v1"))
        .filter(r -> step.equals(r.path("step").asText()))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no " + type + " of step " + step + " in " + timeline));
  }

  private static List<String> types(List<JsonNode> timeline) {
    return timeline.stream()
        .map(r -> r.path("type").asText().replace("dev.conductor.", "").replace(".v1", ""))
        .toList();
  }

  private static Set<String> ids(List<JsonNode> timeline) {
    Set<String> ids = new HashSet<>();
    timeline.forEach(r -> ids.add(r.path("id").asText()));
    return ids;
  }

  private static java.time.Instant time(JsonNode record) {
    return java.time.Instant.parse(record.path("time").asText());
  }

  private static String header(ConsumerRecord<String, byte[]> record, String name) {
    var h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static JsonNode tree(byte[] json) {
    try {
      return JSON.readTree(json);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
