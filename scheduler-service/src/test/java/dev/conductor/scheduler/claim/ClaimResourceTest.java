package dev.conductor.scheduler.claim;

import static dev.conductor.scheduler.support.Events.awaitData;
import static dev.conductor.scheduler.support.Runs.step;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import dev.conductor.events.EventType;
import dev.conductor.events.data.JobScheduled;
import dev.conductor.scheduler.support.Api;
import dev.conductor.scheduler.support.Runs;
import dev.conductor.testkit.IssuerTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ClaimResourceTest {
  private static final String POOL = "claims";
  private static final String PATH = "/api/v1/attempts/{id}/claim";

  private static String scheduledAttempt() {
    Api.registerExecutor(POOL, "exec-claims", 16);
    String runId = Runs.newRunId();
    Runs.requestRun(runId, POOL, List.of(step("a", "smallrc", 0)));
    return awaitData(runId, EventType.JOB_SCHEDULED, JobScheduled.class, 1).get(0).attemptId();
  }

  private static String executor() {
    return Api.principalWith("attempt.claim", "/pools/" + POOL);
  }

  @Test
  void exactlyOneClaimWins() {
    String attemptId = scheduledAttempt();
    String executor = executor();

    Instant before = Instant.now();
    String lease =
        Api.as(executor)
            .body(Map.of("executorId", "exec-1"))
            .post(PATH, attemptId)
            .then()
            .statusCode(200)
            .body("heartbeatIntervalMs", equalTo(10_000))
            .body("leaseExpiresAt", notNullValue())
            .extract()
            .path("leaseExpiresAt");
    assertThat(Instant.parse(lease)).isAfter(before.plusSeconds(25));

    Api.as(executor)
        .body(Map.of("executorId", "exec-2"))
        .post(PATH, attemptId)
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("status", equalTo(409))
        .body("detail", equalTo("attempt " + attemptId + " is claimed, not open for claiming"));
  }

  @Test
  void racingClaimsHaveOneWinner() throws Exception {
    String attemptId = scheduledAttempt();
    String executor = executor();
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Integer>> claims = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        String executorId = "exec-" + i;
        claims.add(
            () ->
                Api.as(executor)
                    .body(Map.of("executorId", executorId))
                    .post(PATH, attemptId)
                    .statusCode());
      }
      List<Integer> statuses = new ArrayList<>();
      for (Future<Integer> f : threads.invokeAll(claims)) {
        statuses.add(f.get());
      }
      assertThat(statuses).containsOnly(200, 409);
      assertThat(statuses.stream().filter(s -> s == 200)).hasSize(1);
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void withoutATokenTheAnswerIs401() {
    String attemptId = scheduledAttempt();
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("executorId", "exec-1"))
        .post(PATH, attemptId)
        .then()
        .statusCode(401)
        .contentType("application/problem+json");
    given()
        .auth()
        .oauth2(IssuerTestResource.issuer().foreignToken("mallory"))
        .contentType(ContentType.JSON)
        .body(Map.of("executorId", "exec-1"))
        .post(PATH, attemptId)
        .then()
        .statusCode(401);
  }

  @Test
  void withoutThePermissionTheAnswerIs403() {
    String attemptId = scheduledAttempt();
    // attempt.claim on another pool does not cover this one
    String stranger = Api.principalWith("attempt.claim", "/pools/prod");
    Api.as(stranger)
        .body(Map.of("executorId", "exec-1"))
        .post(PATH, attemptId)
        .then()
        .statusCode(403)
        .contentType("application/problem+json");
    // and the attempt is still claimable
    Api.as(executor())
        .body(Map.of("executorId", "exec-1"))
        .post(PATH, attemptId)
        .then()
        .statusCode(200);
  }

  @Test
  void anUnknownAttemptIs404() {
    Api.as(executor())
        .body(Map.of("executorId", "exec-1"))
        .post(PATH, UUID.randomUUID().toString())
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
    Api.as(executor())
        .body(Map.of("executorId", "exec-1"))
        .post(PATH, "not-a-uuid")
        .then()
        .statusCode(404);
  }

  @Test
  void anExecutorIdIsRequired() {
    String attemptId = scheduledAttempt();
    Api.as(executor())
        .body(Map.of())
        .post(PATH, attemptId)
        .then()
        .statusCode(400)
        .body("field", equalTo("/executorId"));
  }
}
