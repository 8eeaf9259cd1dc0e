package dev.conductor.audit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
class HealthTest {
  @Test
  void readinessCoversKafkaAndTheDatabase() {
    given()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        // The Kafka channel "ledger" is reported by the reactive messaging check.
        .body(containsString("Reactive Messaging"))
        .body(containsString("\"ledger\""))
        .body(containsString("Reactive PostgreSQL"))
        .body(containsString("Database connections"));
    given().get("/q/metrics").then().statusCode(200);
    given().get("/q/openapi").then().statusCode(200).body(containsString("/api/v1/ledger/verify"));
  }
}
