package dev.conductor.scheduler.support;

import static io.restassured.RestAssured.given;

import dev.conductor.testkit.AccessTestResource;
import dev.conductor.testkit.IssuerTestResource;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** REST calls as real callers: tokens from the test issuer, grants on the access server. */
public final class Api {
  private Api() {}

  /** A fresh token (fresh jti, so no cached decision) for {@code subject}. */
  public static String token(String subject) {
    return IssuerTestResource.issuer().token(subject, List.of());
  }

  /** A new principal holding {@code permission} at {@code scope}. */
  public static String principalWith(String permission, String scope) {
    String subject = "p-" + UUID.randomUUID();
    AccessTestResource.grant(subject, permission, scope);
    return subject;
  }

  public static RequestSpecification as(String subject) {
    return given().auth().oauth2(token(subject)).contentType(ContentType.JSON);
  }

  /** Registers an executor with {@code slots} in {@code pool}, as that pool's executor would. */
  public static void registerExecutor(String pool, String executorId, int slots) {
    String executor = principalWith("pool.register", "/pools/" + pool);
    as(executor)
        .body(Map.of("slots", slots))
        .put("/api/v1/pools/{pool}/executors/{id}", pool, executorId)
        .then()
        .statusCode(200);
  }

  /**
   * Claims the job's dispatch as executor {@code executorId} of its pool would (the executor must
   * be registered there); returns the answer, 200 or a 409 problem.
   */
  public static io.restassured.response.Response claim(
      dev.conductor.events.data.JobScheduled job, String executorId) {
    String executor = principalWith("attempt.claim", "/pools/" + job.pool());
    return as(executor)
        .body(Map.of("executorId", executorId, "dispatch", job.dispatch()))
        .post("/api/v1/attempts/{id}/claim", job.attemptId());
  }

  /** Claims the job's dispatch as {@link #claim} and asserts that it was granted. */
  public static void claimed(dev.conductor.events.data.JobScheduled job, String executorId) {
    claim(job, executorId).then().statusCode(200);
  }

  /** The pool as {@code GET /api/v1/pools/{pool}} shows it. */
  public static Map<String, Object> pool(String pool) {
    String reader = principalWith("pool.read", "/pools/" + pool);
    return as(reader)
        .get("/api/v1/pools/{pool}", pool)
        .then()
        .statusCode(200)
        .extract()
        .as(Map.class);
  }

  /** The run as {@code GET /api/v1/runs/{runId}} shows it. */
  public static Map<String, Object> run(String runId) {
    String reader = principalWith("run.read", "/workspaces/" + Runs.WORKSPACE);
    return as(reader)
        .get("/api/v1/runs/{id}", runId)
        .then()
        .statusCode(200)
        .extract()
        .as(Map.class);
  }
}
