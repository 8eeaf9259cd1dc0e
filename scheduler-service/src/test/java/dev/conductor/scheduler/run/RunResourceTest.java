package dev.conductor.scheduler.run;

import static dev.conductor.scheduler.support.Events.awaitData;
import static dev.conductor.scheduler.support.Runs.step;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.conductor.events.EventType;
import dev.conductor.events.data.RunQueued;
import dev.conductor.scheduler.support.Api;
import dev.conductor.scheduler.support.Runs;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
class RunResourceTest {
  private static String queuedRun() {
    String runId = Runs.newRunId();
    Runs.requestRun(runId, "idle", List.of(step("a", "smallrc", 0), step("b", "smallrc", 0, "a")));
    awaitData(runId, EventType.RUN_QUEUED, RunQueued.class, 1);
    return runId;
  }

  @Test
  void showsTheRunWithItsSteps() {
    String runId = queuedRun();
    String viewer = Api.principalWith("run.read", "/workspaces/" + Runs.WORKSPACE);
    Api.as(viewer)
        .get("/api/v1/runs/{id}", runId)
        .then()
        .statusCode(200)
        .body("runId", equalTo(runId))
        .body("workspace", equalTo(Runs.WORKSPACE))
        .body("pipeline", equalTo("daily-sales"))
        .body("environment", equalTo("idle"))
        .body("status", equalTo("queued"))
        .body("steps[0].name", equalTo("a"))
        .body("steps[0].status", equalTo("waiting"))
        .body("steps[0].attempts", equalTo(1))
        .body("steps[1].name", equalTo("b"))
        .body("steps[1].status", equalTo("pending"))
        .body("steps[1].attempts", equalTo(0));
  }

  @Test
  void needsATokenAndRunReadOnTheWorkspace() {
    String runId = queuedRun();
    given()
        .get("/api/v1/runs/{id}", runId)
        .then()
        .statusCode(401)
        .contentType("application/problem+json");
    String otherTeam = Api.principalWith("run.read", "/workspaces/marketing");
    Api.as(otherTeam).get("/api/v1/runs/{id}", runId).then().statusCode(403);
  }

  @Test
  void anUnknownRunIs404() {
    String viewer = Api.principalWith("run.read", "/");
    Api.as(viewer).get("/api/v1/runs/{id}", "run-unknown").then().statusCode(404);
  }
}
