package dev.conductor.trigger;

import static dev.conductor.trigger.Fixtures.granted;
import static dev.conductor.trigger.Fixtures.token;
import static dev.conductor.trigger.Fixtures.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.conductor.events.Envelope;
import dev.conductor.events.EventType;
import dev.conductor.events.Topics;
import dev.conductor.events.data.RunRequested;
import dev.conductor.events.data.StepSpec;
import dev.conductor.testkit.IssuerTestResource;
import dev.conductor.testkit.KafkaProbe;
import dev.conductor.trigger.run.RunResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class RunResourceTest {
  private static final String RUNS = "/api/v1/workspaces/{ws}/pipelines/{p}/runs";
  private static final String BODY =
      "{\"environment\": \"test\", \"parameters\": {\"date\": \"2026-11-26\"}}";

  @Inject DataSource dataSource;

  private String ws;

  @BeforeEach
  void pipeline() {
    ws = unique("ws");
    Fixtures.createPipeline(ws, "nightly");
  }

  @Test
  void withoutTokenIs401() {
    given()
        .contentType(ContentType.JSON)
        .body(BODY)
        .post(RUNS, ws, "nightly")
        .then()
        .statusCode(401)
        .contentType("application/problem+json");
  }

  @Test
  void foreignTokenIs401() {
    given()
        .auth()
        .oauth2(IssuerTestResource.issuer().foreignToken("mallory"))
        .contentType(ContentType.JSON)
        .body(BODY)
        .post(RUNS, ws, "nightly")
        .then()
        .statusCode(401)
        .contentType("application/problem+json");
  }

  /** A trigger token is not a token for the API: it names the triggers' own audience. */
  @Test
  void aTriggerTokenIs401() {
    String operator = granted("pipeline.run", "/workspaces/" + ws);
    given()
        .auth()
        .oauth2(Fixtures.triggerToken(operator))
        .contentType(ContentType.JSON)
        .body(BODY)
        .post(RUNS, ws, "nightly")
        .then()
        .statusCode(401)
        .body("type", equalTo("https://conductor.dev/problems/unauthenticated"));
  }

  @Test
  void withoutPipelineRunIs403() {
    String viewer = granted("pipeline.read", "/workspaces/" + ws);
    given()
        .auth()
        .oauth2(token(viewer))
        .contentType(ContentType.JSON)
        .body(BODY)
        .post(RUNS, ws, "nightly")
        .then()
        .statusCode(403)
        .contentType("application/problem+json");
  }

  @Test
  void startsARunWithTheSnapshotAndTheRequester() {
    String operator = granted("pipeline.run", "/workspaces/" + ws + "/pipelines/nightly");
    Response response =
        given()
            .auth()
            .oauth2(token(operator))
            .contentType(ContentType.JSON)
            .body(BODY)
            .post(RUNS, ws, "nightly");
    response.then().statusCode(201);
    String runId = response.path("runId");
    assertThat(response.header("Location")).endsWith("/api/v1/runs/" + runId);

    var record =
        KafkaProbe.shared()
            .awaitRecord(
                Topics.RUN_REQUESTS,
                KafkaProbe.event(
                    e -> e.type() == EventType.RUN_REQUESTED && runId.equals(e.key())));
    Envelope<?> event = KafkaProbe.decode(record);
    RunRequested run = (RunRequested) event.data();
    assertThat(record.key()).isEqualTo(runId);
    assertThat(event.subject()).isEqualTo(runId);
    assertThat(event.source()).isEqualTo("/conductor/trigger-service");
    assertThat(KafkaProbe.header(record, "traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-..");
    assertThat(run.runId()).isEqualTo(runId);
    assertThat(run.workspace()).isEqualTo(ws);
    assertThat(run.pipeline()).isEqualTo("nightly");
    assertThat(run.environment()).isEqualTo("test");
    assertThat(run.trigger()).isEqualTo("manual");
    assertThat(run.parameters()).containsEntry("date", "2026-11-26");
    assertThat(run.requester().subject()).isEqualTo(operator);
    assertThat(run.requester().issuer()).isEqualTo(IssuerTestResource.issuer().issuer());
    assertThat(run.requester().groups()).containsExactly("data-eng");
    assertThat(run.snapshot().version()).isEqualTo(1);
    assertThat(run.snapshot().runAs()).isEqualTo("etl-bot");
    assertThat(run.snapshot().environments()).containsExactly("dev", "test");
    assertThat(run.snapshot().tags()).containsEntry("team", "core");
    List<StepSpec> steps = run.snapshot().steps();
    assertThat(steps).extracting(StepSpec::name).containsExactly("extract", "load");
    assertThat(steps.get(0).spec()).containsEntry("millis", 200);
    assertThat(steps.get(0).timeoutSeconds()).isEqualTo(600);
    assertThat(steps.get(0).dataAccess().get(0).resource()).isEqualTo("warehouse");
    assertThat(steps.get(1).dependsOn()).containsExactly("extract");
    assertThat(record.headers().lastHeader("authorization")).isNull();
  }

  /**
   * Requests that arrive together share transactions (RunStarter); each still gets its own answer:
   * a bad one its problem, a repeated idempotency key the one run, the rest their runs.
   */
  @Test
  void concurrentRequestsEachGetTheirOwnAnswer() throws Exception {
    String operator = granted("pipeline.run", "/workspaces/" + ws);
    String jwt = token(operator);
    String key = unique("key");
    java.util.concurrent.ExecutorService clients =
        java.util.concurrent.Executors.newFixedThreadPool(16);
    try {
      List<java.util.concurrent.Future<Response>> good = new java.util.ArrayList<>();
      List<java.util.concurrent.Future<Response>> bad = new java.util.ArrayList<>();
      List<java.util.concurrent.Future<Response>> sameKey = new java.util.ArrayList<>();
      for (int i = 0; i < 40; i++) {
        good.add(clients.submit(() -> post(jwt, BODY, null)));
        if (i % 8 == 0) {
          bad.add(
              clients.submit(
                  () -> post(jwt, "{\"environment\": \"nowhere\", \"parameters\": {}}", null)));
          sameKey.add(clients.submit(() -> post(jwt, BODY, key)));
        }
      }
      java.util.Set<String> runIds = new java.util.HashSet<>();
      for (var f : good) {
        Response r = f.get();
        r.then().statusCode(201);
        runIds.add(r.path("runId"));
      }
      assertThat(runIds).hasSize(40);
      for (var f : bad) {
        f.get()
            .then()
            .statusCode(400)
            .contentType("application/problem+json")
            .body("errors.field", hasItem("/environment"));
      }
      java.util.Set<String> keyed = new java.util.HashSet<>();
      int created = 0;
      for (var f : sameKey) {
        Response r = f.get();
        assertThat(r.statusCode()).isIn(200, 201);
        created += r.statusCode() == 201 ? 1 : 0;
        keyed.add(r.path("runId"));
      }
      assertThat(created).isEqualTo(1);
      assertThat(keyed).hasSize(1);
    } finally {
      clients.shutdownNow();
    }
  }

  private Response post(String jwt, String body, String idempotencyKey) {
    var request = given().auth().oauth2(jwt).contentType(ContentType.JSON).body(body);
    if (idempotencyKey != null) {
      request = request.header("Idempotency-Key", idempotencyKey);
    }
    return request.post(RUNS, ws, "nightly");
  }

  @Test
  void sameIdempotencyKeyStartsOneRun() throws SQLException {
    String operator = granted("pipeline.run", "/workspaces/" + ws);
    String key = unique("key");
    Response first =
        given()
            .auth()
            .oauth2(token(operator))
            .header("Idempotency-Key", key)
            .contentType(ContentType.JSON)
            .body(BODY)
            .post(RUNS, ws, "nightly");
    first.then().statusCode(201);
    String runId = first.path("runId");
    given()
        .auth()
        .oauth2(token(operator))
        .header("Idempotency-Key", key)
        .contentType(ContentType.JSON)
        .body(BODY)
        .post(RUNS, ws, "nightly")
        .then()
        .statusCode(200)
        .body("runId", equalTo(runId));

    KafkaProbe.shared()
        .awaitRecord(
            Topics.RUN_REQUESTS,
            KafkaProbe.event(e -> e.type() == EventType.RUN_REQUESTED && runId.equals(e.key())));
    // Once the outbox is drained, everything both requests emitted is on the topic.
    await().atMost(Duration.ofSeconds(30)).until(() -> outboxRows() == 0);
    assertThat(
            KafkaProbe.shared()
                .records(
                    Topics.RUN_REQUESTS,
                    KafkaProbe.event(
                        e ->
                            e.type() == EventType.RUN_REQUESTED
                                && key.equals(((RunRequested) e.data()).idempotencyKey()))))
        .hasSize(1);
  }

  /**
   * A key is its caller's own: another principal sending the same key (guessed, or seen in a log)
   * gets a run of its own, and never the first caller's run id.
   */
  @Test
  void anotherCallersIdempotencyKeyStartsItsOwnRun() {
    String key = unique("key");
    String alice = granted("pipeline.run", "/workspaces/" + ws);
    String mallory = granted("pipeline.run", "/workspaces/" + ws);
    Response first = post(token(alice), BODY, key);
    first.then().statusCode(201);
    Response other = post(token(mallory), BODY, key);
    other.then().statusCode(201);
    assertThat(other.<String>path("runId")).isNotEqualTo(first.<String>path("runId"));
    post(token(mallory), BODY, key)
        .then()
        .statusCode(200)
        .body("runId", equalTo(other.path("runId")));
    post(token(alice), BODY, key)
        .then()
        .statusCode(200)
        .body("runId", equalTo(first.path("runId")));
  }

  /**
   * {@code ^(a+)+$} sends a backtracking engine into exponential time on "aaa…a!": with the JDK's
   * engine this request would hold a thread for longer than the universe has existed. Here it is
   * answered, with the field at fault.
   */
  @Test
  void aPathologicalPatternIsAnsweredWithTheFieldAtFault() {
    String author = granted("*", "/workspaces/" + ws);
    given()
        .auth()
        .oauth2(token(author))
        .contentType(ContentType.JSON)
        .body(
            """
            {"runAs": "etl-bot", "environments": ["dev"],
             "parameters": {"type": "object",
                            "properties": {"name": {"type": "string", "pattern": "^(a+)+$"}}},
             "steps": [{"name": "only", "jobType": "noop"}]}
            """)
        .put("/api/v1/workspaces/{ws}/pipelines/{p}", ws, "patterned")
        .then()
        .statusCode(201);
    String name = "a".repeat(100_000) + "!";
    given()
        .auth()
        .oauth2(token(author))
        .contentType(ContentType.JSON)
        .body("{\"environment\": \"dev\", \"parameters\": {\"name\": \"" + name + "\"}}")
        .post(RUNS, ws, "patterned")
        .then()
        .statusCode(400)
        .body("field", equalTo("/parameters/name"));
    given()
        .auth()
        .oauth2(token(author))
        .contentType(ContentType.JSON)
        .body("{\"environment\": \"dev\", \"parameters\": {\"name\": \"aaaa\"}}")
        .post(RUNS, ws, "patterned")
        .then()
        .statusCode(201);
  }

  @Test
  void invalidParametersAreNamed() {
    String operator = granted("pipeline.run", "/workspaces/" + ws);
    given()
        .auth()
        .oauth2(token(operator))
        .contentType(ContentType.JSON)
        .body("{\"environment\": \"dev\", \"parameters\": {}}")
        .post(RUNS, ws, "nightly")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("field", equalTo("/parameters/date"))
        .body("errors.field", hasItem("/parameters/date"));
    given()
        .auth()
        .oauth2(token(operator))
        .contentType(ContentType.JSON)
        .body("{\"environment\": \"dev\", \"parameters\": {\"date\": \"yesterday\"}}")
        .post(RUNS, ws, "nightly")
        .then()
        .statusCode(400)
        .body("field", equalTo("/parameters/date"));
  }

  @Test
  void parametersTooLargeForAnEventAre422AndLaterRunsStart() {
    String operator = granted("pipeline.run", "/workspaces/" + ws);
    String blob = "x".repeat(RunResource.MAX_PARAMETERS_BYTES);
    given()
        .auth()
        .oauth2(token(operator))
        .contentType(ContentType.JSON)
        .body(
            "{\"environment\": \"test\", \"parameters\": {\"date\": \"2026-11-26\", \"blob\": \""
                + blob
                + "\"}}")
        .post(RUNS, ws, "nightly")
        .then()
        .statusCode(422)
        .contentType("application/problem+json")
        .body("type", equalTo("https://conductor.dev/problems/too-large"))
        .body("field", equalTo("/parameters"));
    given()
        .auth()
        .oauth2(token(operator))
        .contentType(ContentType.JSON)
        .body(BODY)
        .post(RUNS, ws, "nightly")
        .then()
        .statusCode(201);
  }

  @Test
  void aBodyAnnouncedOverTheHttpLimitIs413ContentTooLargeBeforeItIsSent() throws Exception {
    String operator = granted("pipeline.run", "/workspaces/" + ws);
    String path = RUNS.replace("{ws}", ws).replace("{p}", "nightly");
    // Only the head is sent: the service must answer from the announced length alone, over
    // quarkus.http.limits.max-body-size (10 MiB), without waiting for 11 MiB that never come.
    String head =
        "POST "
            + path
            + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
            + token(operator)
            + "\r\nContent-Type: application/json\r\nContent-Length: "
            + 11 * 1024 * 1024
            + "\r\n\r\n";
    try (java.net.Socket socket = new java.net.Socket("localhost", RestAssured.port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String answer =
          new String(
              socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(answer)
          .startsWith("HTTP/1.1 413")
          .containsIgnoringCase("content-type: application/problem+json")
          .contains("\"type\":\"https://conductor.dev/problems/content-too-large\"")
          .contains("\"instance\":\"" + path + "\"");
    }
  }

  @Test
  void environmentMustBeAllowedByThePipeline() {
    String operator = granted("pipeline.run", "/workspaces/" + ws);
    given()
        .auth()
        .oauth2(token(operator))
        .contentType(ContentType.JSON)
        .body("{\"environment\": \"prod\", \"parameters\": {\"date\": \"2026-11-26\"}}")
        .post(RUNS, ws, "nightly")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("field", equalTo("/environment"));
  }

  @Test
  void unknownPipelineIs404() {
    String operator = granted("pipeline.run", "/workspaces/" + ws);
    given()
        .auth()
        .oauth2(token(operator))
        .contentType(ContentType.JSON)
        .body(BODY)
        .post(RUNS, ws, "missing")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
  }

  private int outboxRows() throws SQLException {
    try (Connection c = dataSource.getConnection();
        ResultSet rs =
            c.createStatement()
                .executeQuery("SELECT count(*) FROM outbox WHERE parked_at IS NULL")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
