package dev.conductor.e2e;

import static dev.conductor.e2e.Conductor.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.crypto.ECDHDecrypter;
import dev.conductor.deploy.local.LocalStack;
import dev.conductor.deploy.local.ManagedProcess;
import dev.conductor.embedded.PoolKeys;
import dev.conductor.events.EventType;
import dev.conductor.events.Topics;
import dev.conductor.events.data.JobAuthorized;
import dev.conductor.platform.problem.ProblemType;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Credentials and keys work only where they were meant to, seen from outside: a job's credential is
 * refused by Conductor's own API, no pipeline may ask for a credential to that API, and an {@code
 * Idempotency-Key} is its caller's own.
 */
class ClosedDoorsE2ETest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RUN = "{\"environment\":\"dev\",\"parameters\":{}}";

  private static Conductor conductor;

  @BeforeAll
  static void startStack() {
    conductor = Conductor.start();
  }

  @AfterAll
  static void stopStack() {
    if (conductor != null) {
      conductor.close();
    }
  }

  private static String pipeline(String resource) {
    return """
        {"runAs": "etl-bot", "environments": ["dev"],
         "steps": [{"name": "load", "jobType": "noop",
                    "dataAccess": [{"resource": "%s", "permissions": ["read"]}]}]}
        """
        .formatted(resource);
  }

  private static String pipelinePath(String name) {
    return conductor.url(LocalStack.TRIGGER) + "/api/v1/workspaces/demo/pipelines/" + name;
  }

  @Test
  void aJobsCredentialIsRefusedByConductorsOwnApi() throws Exception {
    conductor.putPipeline("alice", "demo", "creds", pipeline("warehouse")).then().statusCode(201);
    String runId =
        conductor
            .startRun("alice", "demo", "creds", RUN)
            .then()
            .statusCode(201)
            .extract()
            .path("runId");

    // What the dev pool's executors receive, opened with that pool's key as they open it.
    JobAuthorized authorized =
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> conductor.events(Topics.jobs("dev"), runId, EventType.JOB_AUTHORIZED),
                seen -> !seen.isEmpty())
            .get(0)
            .data(JobAuthorized.class);
    JWEObject bundle = JWEObject.parse(authorized.credentials());
    bundle.decrypt(new ECDHDecrypter(PoolKeys.readKey(conductor.stack.poolPrivateKey("dev"))));
    JsonNode tokens = JSON.readTree(bundle.getPayload().toString()).path("tokens");
    assertThat(tokens).hasSize(1);
    String jobToken = tokens.get(0).path("token").asText();

    Response answer =
        RestAssured.given()
            .header("Authorization", "Bearer " + jobToken)
            .get(pipelinePath("creds"));
    problem(answer, ProblemType.UNAUTHENTICATED);
  }

  /**
   * A token is for one door: a trigger token (audience {@code conductor-triggers}) is a 401 on the
   * API, and an API token in a trigger on {@code conductor.triggers} is refused to the DLQ, while
   * the same trigger with a trigger token starts its run.
   */
  @Test
  void aTriggerTokenIsNoApiTokenAndTheOtherWayRound() {
    conductor
        .putPipeline(
            "alice",
            "demo",
            "triggered",
            """
            {"runAs": "etl-bot", "environments": ["dev"],
             "steps": [{"name": "only", "jobType": "noop"}]}
            """)
        .then()
        .statusCode(201);
    problem(
        RestAssured.given()
            .header("Authorization", "Bearer " + conductor.stack.triggerToken("alice"))
            .get(pipelinePath("etl")),
        ProblemType.UNAUTHENTICATED);

    String refused = "e2e-api-token-" + UUID.randomUUID();
    conductor.send(Conductor.trigger(refused, conductor.stack.token("alice"), "triggered", "{}"));
    String accepted = "e2e-trigger-token-" + UUID.randomUUID();
    conductor.send(
        Conductor.trigger(accepted, conductor.stack.triggerToken("alice"), "triggered", "{}"));

    await().atMost(Duration.ofSeconds(60)).until(() -> !conductor.deadLetters(refused).isEmpty());
    assertThat(conductor.deadLetters(refused).get(0).header("dlq-reason"))
        .contains("token refused");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                conductor.readAll(Topics.RUN_REQUESTS).stream()
                    .anyMatch(
                        r -> new String(r.value(), StandardCharsets.UTF_8).contains(accepted)));
  }

  @Test
  void noPipelineMayAskForACredentialToConductorsOwnApi() {
    problem(
            conductor.putPipeline("alice", "demo", "to-the-api", pipeline("conductor")),
            ProblemType.VALIDATION)
        .body("errors.field", org.hamcrest.Matchers.hasItem("/steps/0/dataAccess/0/resource"));
  }

  @Test
  void anotherCallersIdempotencyKeyStartsItsOwnRun() {
    conductor
        .putPipeline(
            "alice",
            "demo",
            "keyed",
            """
            {"runAs": "etl-bot", "environments": ["dev"],
             "steps": [{"name": "only", "jobType": "noop"}]}
            """)
        .then()
        .statusCode(201);
    String key = UUID.randomUUID().toString();
    String alices = keyedRun("alice", key).then().statusCode(201).extract().path("runId");
    String admins = keyedRun("admin", key).then().statusCode(201).extract().path("runId");
    assertThat(admins).isNotEqualTo(alices);
    assertThat(keyedRun("alice", key).then().statusCode(200).extract().<String>path("runId"))
        .isEqualTo(alices);
  }

  /**
   * Started as in production, without what the local runner hands it, a service refuses to start
   * and says what is missing: the broker without its policy seed (no demo principal or secret is
   * built in), the trigger service and an executor without their client secrets, the scheduler
   * without its password to the bus.
   */
  @Test
  void aServiceWithoutItsSecretsRefusesToStartAndSaysWhatIsMissing() {
    refusesToStart(
        LocalStack.BROKER,
        Set.of("conductor.broker.seed-file"),
        Set.of(),
        "conductor.broker.seed-file (env CONDUCTOR_BROKER_SEED) is required");
    refusesToStart(
        LocalStack.TRIGGER,
        Set.of(),
        Set.of("CONDUCTOR_CLIENT_SECRET"),
        "missing: conductor.client.secret (env CONDUCTOR_CLIENT_SECRET)");
    refusesToStart(
        LocalStack.executorName("dev"),
        Set.of(),
        Set.of("CONDUCTOR_CLIENT_SECRET"),
        "missing: conductor.client.secret (env CONDUCTOR_CLIENT_SECRET)");
    refusesToStart(
        LocalStack.SCHEDULER,
        Set.of(),
        Set.of("CONDUCTOR_KAFKA_PASSWORD"),
        "conductor.kafka.password");
  }

  private static void refusesToStart(
      String service, Set<String> settings, Set<String> environment, String message) {
    try (ManagedProcess process = conductor.stack.startWithout(service, settings, environment)) {
      assertThat(process.awaitExit(Duration.ofSeconds(60)))
          .as(service + " ends by itself" + process.tail())
          .hasValueSatisfying(code -> assertThat(code).isNotZero());
      assertThat(process.output()).contains(message);
    }
  }

  private static Response keyedRun(String principal, String key) {
    return conductor
        .as(principal)
        .header("Idempotency-Key", key)
        .contentType(ContentType.JSON)
        .body(RUN)
        .post(pipelinePath("keyed") + "/runs");
  }
}
