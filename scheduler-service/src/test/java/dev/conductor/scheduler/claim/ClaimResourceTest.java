package dev.conductor.scheduler.claim;

import static dev.conductor.scheduler.support.Events.awaitData;
import static dev.conductor.scheduler.support.Runs.step;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import dev.conductor.events.EventType;
import dev.conductor.events.data.JobScheduled;
import dev.conductor.events.data.StepSpec;
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
    return scheduledJob().attemptId();
  }

  private static JobScheduled scheduledJob() {
    Api.registerExecutor(POOL, "exec-claims", 16);
    String runId = Runs.newRunId();
    Runs.requestRun(runId, POOL, List.of(step("a", "smallrc", 0)));
    return awaitData(runId, EventType.JOB_SCHEDULED, JobScheduled.class, 1).get(0);
  }

  /** A claim body as executor {@code executorId} sends it, for the first dispatch. */
  private static Map<String, Object> by(String executorId) {
    return Map.of("executorId", executorId, "dispatch", 1);
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
            .body(by("exec-claims"))
            .post(PATH, attemptId)
            .then()
            .statusCode(200)
            .body("heartbeatIntervalMs", equalTo(10_000))
            .body("leaseExpiresAt", notNullValue())
            .extract()
            .path("leaseExpiresAt");
    assertThat(Instant.parse(lease)).isAfter(before.plusSeconds(25));

    Api.as(executor)
        .body(Map.of("executorId", "exec-2", "dispatch", 1))
        .post(PATH, attemptId)
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("status", equalTo(409))
        .body("type", equalTo("https://conductor.dev/problems/not-claimable"))
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
        String executorId = "exec-race-" + i;
        Api.registerExecutor(POOL, executorId, 1);
        claims.add(() -> Api.as(executor).body(by(executorId)).post(PATH, attemptId).statusCode());
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
        .body(by("exec-claims"))
        .post(PATH, attemptId)
        .then()
        .statusCode(401)
        .contentType("application/problem+json");
    given()
        .auth()
        .oauth2(IssuerTestResource.issuer().foreignToken("mallory"))
        .contentType(ContentType.JSON)
        .body(by("exec-claims"))
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
        .body(by("exec-claims"))
        .post(PATH, attemptId)
        .then()
        .statusCode(403)
        .contentType("application/problem+json");
    // and the attempt is still claimable
    Api.as(executor()).body(by("exec-claims")).post(PATH, attemptId).then().statusCode(200);
  }

  @Test
  void anUnknownAttemptIs404() {
    Api.as(executor())
        .body(by("exec-claims"))
        .post(PATH, UUID.randomUUID().toString())
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
    Api.as(executor()).body(by("exec-claims")).post(PATH, "not-a-uuid").then().statusCode(404);
  }

  @Test
  void anExecutorIdAndTheDispatchAreRequired() {
    String attemptId = scheduledAttempt();
    Api.as(executor())
        .body(Map.of("dispatch", 1))
        .post(PATH, attemptId)
        .then()
        .statusCode(400)
        .body("field", equalTo("/executorId"));
    Api.as(executor())
        .body(Map.of("executorId", "exec-claims"))
        .post(PATH, attemptId)
        .then()
        .statusCode(400)
        .body("field", equalTo("/dispatch"));
    Api.as(executor())
        .body(Map.of("executorId", "exec-claims", "dispatch", 2))
        .post(PATH, attemptId)
        .then()
        .statusCode(409)
        .body("type", equalTo("https://conductor.dev/problems/not-claimable"));
  }

  @Test
  void anExecutorThatDidNotRegisterGetsNoSlot() {
    JobScheduled job = scheduledJob();
    Api.claim(job, "exec-unknown")
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("type", equalTo("https://conductor.dev/problems/no-capacity"))
        .body("detail", containsString("back in the queue"));
    // Back in the queue, dispatched again, and claimable by an executor with a free slot.
    JobScheduled again =
        awaitData(job.runId(), EventType.JOB_SCHEDULED, JobScheduled.class, 2).get(1);
    assertThat(again.attemptId()).isEqualTo(job.attemptId());
    assertThat(again.dispatch()).isEqualTo(2);
    Api.claimed(again, "exec-claims");
  }

  @Test
  void theAttemptsAnExecutorSaysEndedFreeTheirSlotsAtItsNextClaim() {
    Api.registerExecutor(POOL, "exec-one", 1);
    String runId = Runs.newRunId();
    Runs.requestRun(runId, POOL, List.of(step("a", "smallrc", 0), step("b", "smallrc", 0)));
    List<JobScheduled> jobs = awaitData(runId, EventType.JOB_SCHEDULED, JobScheduled.class, 2);
    Api.claimed(jobs.get(0), "exec-one");

    // a ended there and its outcome is on its way: the next claim says so, and gets the slot.
    Api.as(executor())
        .body(
            Map.of(
                "executorId", "exec-one", "dispatch", 1, "ended", List.of(jobs.get(0).attemptId())))
        .post(PATH, jobs.get(1).attemptId())
        .then()
        .statusCode(200);
    // Whatever is not an attempt id is refused, naming the entry.
    Api.as(executor())
        .body(
            Map.of("executorId", "exec-one", "dispatch", 1, "ended", List.of("not-an-attempt-id")))
        .post(PATH, jobs.get(1).attemptId())
        .then()
        .statusCode(400)
        .body("field", equalTo("/ended/0"));
  }

  @Test
  void racingClaimsNeverTakeMoreThanTheExecutorsSlots() throws Exception {
    Api.registerExecutor(POOL, "exec-claims", 16);
    Api.registerExecutor(POOL, "exec-two", 2);
    String runId = Runs.newRunId();
    List<StepSpec> steps = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      steps.add(step("s" + i, "smallrc", 0));
    }
    Runs.requestRun(runId, POOL, steps);
    List<JobScheduled> jobs = awaitData(runId, EventType.JOB_SCHEDULED, JobScheduled.class, 6);
    ExecutorService threads = Executors.newFixedThreadPool(6);
    try {
      List<Callable<String>> claims = new ArrayList<>();
      for (JobScheduled job : jobs) {
        claims.add(
            () -> {
              var answer = Api.claim(job, "exec-two");
              return answer.statusCode() == 200 ? "granted" : answer.jsonPath().getString("type");
            });
      }
      List<String> answers = new ArrayList<>();
      for (Future<String> f : threads.invokeAll(claims)) {
        answers.add(f.get());
      }
      assertThat(answers.stream().filter("granted"::equals)).hasSize(2);
      assertThat(answers.stream().filter(a -> !a.equals("granted")))
          .hasSize(4)
          .allMatch(a -> a.endsWith("/no-capacity"));
    } finally {
      threads.shutdownNow();
    }
  }
}
