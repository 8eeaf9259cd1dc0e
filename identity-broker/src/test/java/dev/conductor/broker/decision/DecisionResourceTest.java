package dev.conductor.broker.decision;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import dev.conductor.broker.support.BrokerTestResource;
import dev.conductor.broker.support.Tokens;
import dev.conductor.testkit.KafkaTestResource;
import dev.conductor.testkit.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = BrokerTestResource.class, restrictToAnnotatedClass = false)
class DecisionResourceTest {
  private static String accessDecision() {
    return given()
        .auth()
        .oauth2(Tokens.of("carol"))
        .contentType("application/json")
        .body(Map.of("permission", "pipeline.run", "scope", "/workspaces/demo/pipelines/x"))
        .post("/api/v1/access/check")
        .then()
        .statusCode(200)
        .extract()
        .path("decisionId");
  }

  @Test
  void needsABearer() {
    given().get("/api/v1/decisions/" + accessDecision()).then().statusCode(401);
  }

  @Test
  void needsAuditRead() {
    given()
        .auth()
        .oauth2(Tokens.of("alice"))
        .get("/api/v1/decisions/" + accessDecision())
        .then()
        .statusCode(403)
        .contentType(containsString("application/problem+json"));
  }

  @Test
  void auditorReadsTheStoredDecision() {
    String id = accessDecision();
    given()
        .auth()
        .oauth2(Tokens.of("auditor"))
        .get("/api/v1/decisions/" + id)
        .then()
        .statusCode(200)
        .body("decisionId", equalTo(id))
        .body("kind", equalTo("access"))
        .body("effect", equalTo("deny"))
        .body("principal", equalTo("carol"))
        .body("action", equalTo("pipeline.run"))
        .body("resources", hasItem("/workspaces/demo/pipelines/x"))
        .body("policyVersion", startsWith("seed-1"));
  }

  @Test
  void unknownDecisionIsNotFound() {
    given()
        .auth()
        .oauth2(Tokens.of("auditor"))
        .get("/api/v1/decisions/no-such-decision")
        .then()
        .statusCode(404)
        .contentType(containsString("application/problem+json"));
  }
}
