package dev.conductor.scheduler;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** Health (with Kafka and the database), metrics and the OpenAPI document, without a token. */
@QuarkusTest
class OperationsTest {
  @Test
  void readinessCoversKafkaAndTheDatabase() {
    given()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("status", equalTo("UP"))
        .body("checks.name", hasItems("SmallRye Reactive Messaging - readiness check"))
        .body("checks.name.toString()", containsString("atabase"));
    given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
  }

  @Test
  void metricsAndOpenApiAreServed() {
    given().get("/q/metrics").then().statusCode(200);
    given()
        .get("/q/openapi?format=json")
        .then()
        .statusCode(200)
        .body(containsString("/api/v1/attempts/{attemptId}/claim"))
        .body(containsString("/api/v1/pools/{pool}/executors/{executorId}"))
        .body(containsString("/api/v1/runs/{runId}"))
        .body(containsString("/api/v1/config/{section}"));
  }
}
