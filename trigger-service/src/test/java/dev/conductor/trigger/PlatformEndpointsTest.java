package dev.conductor.trigger;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** Health (with Kafka and the database), metrics and OpenAPI are open without a token. */
@QuarkusTest
class PlatformEndpointsTest {
  @Test
  void readinessCoversKafkaAndTheDatabase() {
    given()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("status", equalTo("UP"))
        .body(
            "checks.name",
            hasItems(
                containsString("Kafka"),
                containsString("Reactive Messaging"),
                containsString("Reactive PostgreSQL"),
                containsString("Database")));
    given().get("/q/health/live").then().statusCode(200);
  }

  @Test
  void metricsAndOpenApiAreServed() {
    given().get("/q/metrics").then().statusCode(200);
    given()
        .get("/q/openapi")
        .then()
        .statusCode(200)
        .body(containsString("/api/v1/workspaces/{ws}/pipelines/{p}/runs"));
  }
}
