package dev.conductor.e2e;

import static dev.conductor.e2e.Conductor.problem;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conductor.deploy.local.LocalStack;
import dev.conductor.platform.problem.ProblemType;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Every kind of the problem catalogue a client can provoke, provoked from outside against the
 * running services: each answer is {@code application/problem+json} with the kind's stable type,
 * its title and status, the request as {@code instance}, and what the kind adds (the fields, the
 * decision, when to retry). The claim kinds ({@code no-capacity}, {@code not-claimable}) are an
 * executor's and are provoked in the scheduler's claim tests; {@code internal} has no request that
 * causes it on purpose. The broker is stopped in the last test.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProblemCatalogueE2ETest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RUN = "{\"environment\":\"dev\",\"parameters\":{}}";
  private static final String PIPELINE =
      """
      {"runAs": "etl-bot", "environments": ["dev"],
       "parameters": {"type": "object", "required": ["date"],
                      "properties": {"date": {"type": "string",
                                              "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}}},
       "steps": [{"name": "only", "jobType": "noop", "resourceClass": "smallrc"}]}
      """;

  private static Conductor conductor;

  @BeforeAll
  static void startStack() {
    conductor = Conductor.start();
    conductor.putPipeline("alice", "demo", "cat", PIPELINE).then().statusCode(201);
  }

  @AfterAll
  static void stopStack() {
    if (conductor != null) {
      conductor.close();
    }
  }

  private static String trigger(String path) {
    return conductor.url(LocalStack.TRIGGER) + path;
  }

  @Test
  @Order(1)
  void validationNamesEveryField() {
    problem(conductor.startRun("alice", "demo", "cat", RUN), ProblemType.VALIDATION)
        .body("instance", equalTo("/api/v1/workspaces/demo/pipelines/cat/runs"))
        .body("field", equalTo("/parameters/date"))
        .body("errors[0].field", equalTo("/parameters/date"));
  }

  @Test
  @Order(2)
  void unauthenticatedChallengesForABearerToken() {
    problem(
            conductor.anonymous().get(trigger("/api/v1/workspaces/demo/pipelines/cat")),
            ProblemType.UNAUTHENTICATED)
        .header("WWW-Authenticate", equalTo("Bearer"));
  }

  @Test
  @Order(3)
  void deniedNamesTheAccessDecision() {
    problem(
            conductor.startRun(
                "carol", "demo", "cat", RUN.replace("{}", "{\"date\":\"2026-12-07\"}")),
            ProblemType.DENIED)
        .body("decisionId", notNullValue());
  }

  @Test
  @Order(4)
  void notFoundForAMissingResourceAndAMissingSection() {
    problem(conductor.run(UUID.randomUUID().toString()), ProblemType.NOT_FOUND);
    problem(
        conductor.as("admin").get(trigger("/api/v1/workspaces/demo/config/quotas")),
        ProblemType.NOT_FOUND);
  }

  @Test
  @Order(5)
  void theHttpInterfaceItselfAnswersProblemsToo() throws Exception {
    problem(
        conductor.as("admin").delete(trigger("/api/v1/workspaces/demo/config/pipelines")),
        ProblemType.METHOD_NOT_ALLOWED);
    problem(
        conductor
            .as("admin")
            .contentType(ContentType.TEXT)
            .body("pipelines: {}")
            .put(trigger("/api/v1/workspaces/demo/config/pipelines")),
        ProblemType.UNSUPPORTED_MEDIA_TYPE);
    problem(
        conductor
            .as("admin")
            .accept("text/csv")
            .get(trigger("/api/v1/workspaces/demo/config/pipelines")),
        ProblemType.NOT_ACCEPTABLE);
    bodyOverTheLimitIsRefusedFromItsLength();
  }

  /**
   * Only the head of an 11 MiB PUT is sent (the services keep Quarkus' 10 MiB limit): the answer
   * comes from the announced length, before any of the body, on a raw socket since an HTTP client
   * would insist on sending the body first.
   */
  private void bodyOverTheLimitIsRefusedFromItsLength() throws Exception {
    URI url = URI.create(trigger("/api/v1/workspaces/demo/config/pipelines"));
    String head =
        "PUT "
            + url.getPath()
            + " HTTP/1.1\r\nHost: "
            + url.getAuthority()
            + "\r\nAuthorization: Bearer "
            + conductor.stack.token("admin")
            + "\r\nContent-Type: application/json\r\nContent-Length: "
            + 11 * 1024 * 1024
            + "\r\n\r\n";
    try (Socket socket = new Socket(url.getHost(), url.getPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      ProblemType kind = ProblemType.CONTENT_TOO_LARGE;
      assertThat(answer)
          .startsWith("HTTP/1.1 " + kind.status())
          .containsIgnoringCase("content-type: application/problem+json");
      JsonNode problem = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
      assertThat(problem.path("type").asText()).isEqualTo(kind.uri());
      assertThat(problem.path("title").asText()).isEqualTo(kind.title());
      assertThat(problem.path("status").asInt()).isEqualTo(kind.status());
      assertThat(problem.path("instance").asText()).isEqualTo(url.getPath());
    }
  }

  @Test
  @Order(6)
  void conflictRefusesToRemoveARoleStillAssigned() throws Exception {
    String roles = conductor.url(LocalStack.BROKER) + "/api/v1/config/roles";
    ObjectNode document =
        (ObjectNode)
            JSON.readTree(
                conductor.as("admin").get(roles).then().statusCode(200).extract().asString());
    assertThat(document.has("developer")).as("alice's role in the demo").isTrue();
    document.remove("developer");
    problem(
            conductor
                .as("admin")
                .contentType(ContentType.JSON)
                .body(document.toString())
                .put(roles + "?dryRun=true"),
            ProblemType.CONFLICT)
        .body("detail", org.hamcrest.Matchers.containsString("developer"));
  }

  @Test
  @Order(7)
  void quotaSaysWhenToRetry() {
    String client = "nobody-" + UUID.randomUUID();
    Response answer = null;
    for (int i = 0; i < 10; i++) {
      answer =
          given()
              .contentType("application/x-www-form-urlencoded")
              .formParam("grant_type", "client_credentials")
              .formParam("client_id", client)
              .formParam("client_secret", "guess-" + i)
              .post(conductor.url(LocalStack.BROKER) + "/oauth2/token");
      if (answer.statusCode() == ProblemType.QUOTA.status()) {
        break;
      }
    }
    problem(answer, ProblemType.QUOTA)
        .header("Retry-After", notNullValue())
        .body("instance", equalTo("/oauth2/token"));
  }

  /** Last: the identity broker stays down. */
  @Test
  @Order(8)
  void unavailableWhenTheAccessCheckCannotBeReachedNeverAllowOrDeny() {
    String warm = conductor.stack.token("alice");
    String fresh = conductor.stack.token("alice"); // no decision is cached for this one yet
    given()
        .header("Authorization", "Bearer " + warm)
        .get(trigger("/api/v1/workspaces/demo/pipelines/cat"))
        .then()
        .statusCode(200); // the trigger service holds the issuer's keys now

    conductor.stack.stop(LocalStack.BROKER);

    problem(
            given()
                .header("Authorization", "Bearer " + fresh)
                .contentType(ContentType.JSON)
                .body(RUN.replace("{}", "{\"date\":\"2026-12-07\"}"))
                .post(trigger("/api/v1/workspaces/demo/pipelines/cat/runs")),
            ProblemType.UNAVAILABLE)
        .header("Retry-After", notNullValue());
  }
}
