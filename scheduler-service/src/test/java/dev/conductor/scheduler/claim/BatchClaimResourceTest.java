package dev.conductor.scheduler.claim;

import static dev.conductor.scheduler.support.Events.awaitData;
import static dev.conductor.scheduler.support.Runs.step;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.conductor.events.EventType;
import dev.conductor.events.data.JobScheduled;
import dev.conductor.events.data.StepSpec;
import dev.conductor.scheduler.support.Api;
import dev.conductor.scheduler.support.Runs;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class BatchClaimResourceTest {
  private static final String POOL = "batch";
  private static final String PATH = "/api/v1/pools/{pool}/claims";

  /** {@code n} scheduled attempts (the steps of one run) for an executor with {@code slots}. */
  private static List<JobScheduled> scheduled(String executorId, int slots, int n) {
    Api.registerExecutor(POOL, executorId, slots);
    String runId = Runs.newRunId();
    List<StepSpec> steps = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      steps.add(step("s" + i, "smallrc", 0));
    }
    Runs.requestRun(runId, POOL, steps);
    return awaitData(runId, EventType.JOB_SCHEDULED, JobScheduled.class, n);
  }

  private static Map<String, Object> batch(String executorId, List<JobScheduled> jobs) {
    List<Map<String, Object>> claims = new ArrayList<>();
    jobs.forEach(j -> claims.add(Map.of("attemptId", j.attemptId(), "dispatch", j.dispatch())));
    return Map.of("executorId", executorId, "claims", claims);
  }

  private static String executor(String pool) {
    return Api.principalWith("attempt.claim", "/pools/" + pool);
  }

  private static JsonPath claim(Object body) {
    return Api.as(executor(POOL))
        .body(body)
        .post(PATH, POOL)
        .then()
        .statusCode(200)
        .contentType(ContentType.JSON)
        .extract()
        .jsonPath();
  }

  @Test
  void aWholeBatchIsGrantedInOneRequestAndOnlyOnce() {
    List<JobScheduled> jobs = scheduled("exec-batch-a", 8, 3);
    Instant before = Instant.now();

    JsonPath answers = claim(batch("exec-batch-a", jobs));
    for (int i = 0; i < 3; i++) {
      String at = "answers[" + i + "].";
      assertThat(answers.getString(at + "attemptId")).isEqualTo(jobs.get(i).attemptId());
      assertThat(answers.getBoolean(at + "granted")).isTrue();
      assertThat(answers.getLong(at + "heartbeatIntervalMs")).isEqualTo(10_000);
      assertThat(Instant.parse(answers.getString(at + "leaseExpiresAt")))
          .isAfter(before.plusSeconds(25));
      assertThat(answers.getString(at + "deadline")).isNotNull();
    }
    assertThat(((Number) Api.pool(POOL).get("used")).longValue()).isGreaterThanOrEqualTo(3);

    // The same batch again (a duplicate delivery, or another executor): nothing is granted twice.
    JsonPath again = claim(batch("exec-batch-b", jobs));
    assertThat(again.getList("answers.granted", Boolean.class)).containsOnly(false);
    assertThat(again.getList("answers.refused", String.class)).containsOnly("not-claimable");
    assertThat(again.getString("answers[0].detail"))
        .isEqualTo("attempt " + jobs.get(0).attemptId() + " is claimed, not open for claiming");
  }

  @Test
  void noMoreIsGrantedThanTheExecutorsFreeSlotsAndTheRestIsQueuedAgain() {
    // Room in the pool to dispatch all three; the claiming executor has two slots.
    Api.registerExecutor(POOL, "exec-batch-spare", 4);
    List<JobScheduled> jobs = scheduled("exec-batch-two", 2, 3);

    JsonPath answers = claim(batch("exec-batch-two", jobs));

    // In request order: the first two fit, the third is refused and back in the queue.
    assertThat(answers.getList("answers.granted", Boolean.class))
        .containsExactly(true, true, false);
    assertThat(answers.getString("answers[2].refused")).isEqualTo("no-capacity");
    JobScheduled third = jobs.get(2);
    List<JobScheduled> dispatches =
        awaitData(third.runId(), EventType.JOB_SCHEDULED, JobScheduled.class, 4);
    assertThat(dispatches)
        .anySatisfy(
            j -> {
              assertThat(j.attemptId()).isEqualTo(third.attemptId());
              assertThat(j.dispatch()).isEqualTo(2);
            });
  }

  @Test
  void attemptsThePoolDoesNotHaveAreUnknownAndStayWhereTheyAre() {
    Api.registerExecutor("claims", "exec-batch-elsewhere", 4);
    String runId = Runs.newRunId();
    Runs.requestRun(runId, "claims", List.of(step("a", "smallrc", 0)));
    JobScheduled elsewhere =
        awaitData(runId, EventType.JOB_SCHEDULED, JobScheduled.class, 1).get(0);
    String nobody = UUID.randomUUID().toString();

    JsonPath answers =
        claim(
            Map.of(
                "executorId",
                "exec-batch-c",
                "claims",
                List.of(
                    Map.of("attemptId", elsewhere.attemptId(), "dispatch", 1),
                    Map.of("attemptId", nobody, "dispatch", 1),
                    Map.of("attemptId", "not-an-attempt-id", "dispatch", 1))));

    // One bad entry does not fail the others: each is answered.
    assertThat(answers.getList("answers.refused", String.class))
        .containsExactly("unknown", "unknown", "unknown");
    assertThat(answers.getString("answers[2].attemptId")).isEqualTo("not-an-attempt-id");
    // An attempt of another pool is claimed only through that pool.
    Api.claimed(elsewhere, "exec-batch-elsewhere");
  }

  @Test
  void badBatchesAreRefusedNamingTheField() {
    String id = UUID.randomUUID().toString();
    assertBadRequest(
        Map.of("claims", List.of(Map.of("attemptId", id, "dispatch", 1))), "/executorId");
    assertBadRequest(Map.of("executorId", "e", "claims", List.of()), "/claims");
    assertBadRequest(
        Map.of(
            "executorId",
            "e",
            "claims",
            List.of(
                Map.of("attemptId", id, "dispatch", 1), Map.of("attemptId", "", "dispatch", 1))),
        "/claims/1/attemptId");
    assertBadRequest(
        Map.of(
            "executorId",
            "e",
            "claims",
            List.of(
                Map.of("attemptId", id, "dispatch", 1), Map.of("attemptId", id, "dispatch", 1))),
        "/claims/1/attemptId");
    assertBadRequest(
        Map.of("executorId", "e", "claims", List.of(Map.of("attemptId", id, "dispatch", 0))),
        "/claims/0/dispatch");
    List<Map<String, Object>> tooMany = new ArrayList<>();
    for (int i = 0; i <= BatchClaimResource.MAX_CLAIMS; i++) {
      tooMany.add(Map.of("attemptId", UUID.randomUUID().toString(), "dispatch", 1));
    }
    assertBadRequest(Map.of("executorId", "e", "claims", tooMany), "/claims");
  }

  private static void assertBadRequest(Object body, String field) {
    Api.as(executor(POOL))
        .body(body)
        .post(PATH, POOL)
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("field", equalTo(field));
  }

  @Test
  void onlyCallersAllowedToClaimInThePoolMayClaim() {
    List<JobScheduled> jobs = scheduled("exec-batch-d", 4, 1);
    given()
        .contentType(ContentType.JSON)
        .body(batch("exec-batch-d", jobs))
        .post(PATH, POOL)
        .then()
        .statusCode(401)
        .contentType("application/problem+json");
    // attempt.claim on another pool does not cover this one
    Api.as(executor("prod"))
        .body(batch("exec-batch-d", jobs))
        .post(PATH, POOL)
        .then()
        .statusCode(403)
        .contentType("application/problem+json");
    // and the attempt is still claimable
    assertThat(claim(batch("exec-batch-d", jobs)).getList("answers.granted", Boolean.class))
        .containsExactly(true);
  }
}
