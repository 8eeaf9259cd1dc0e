package dev.conductor.broker;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.conductor.broker.support.BrokerTestResource;
import dev.conductor.testkit.KafkaTestResource;
import dev.conductor.testkit.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = BrokerTestResource.class, restrictToAnnotatedClass = false)
class HealthTest {
  @Test
  void readinessCoversKafkaAndTheDatabase() {
    given()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("status", equalTo("UP"))
        .body("checks.name", hasItem(containsString("Messaging")))
        .body("checks.name", hasItem(containsString("onnections health check")));
  }

  @Test
  void metricsAndOpenApiAreServed() {
    given().get("/q/metrics").then().statusCode(200);
    given().get("/q/openapi").then().statusCode(200);
  }
}
