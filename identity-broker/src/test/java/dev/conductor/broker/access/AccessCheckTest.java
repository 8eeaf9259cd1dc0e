package dev.conductor.broker.access;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.conductor.broker.support.BrokerTestResource;
import dev.conductor.broker.support.Tokens;
import dev.conductor.testkit.IssuerTestResource;
import dev.conductor.testkit.KafkaTestResource;
import dev.conductor.testkit.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = BrokerTestResource.class, restrictToAnnotatedClass = false)
class AccessCheckTest {
  private static ValidatableResponse check(String bearer, Map<String, Object> body) {
    return given()
        .auth()
        .oauth2(bearer)
        .contentType("application/json")
        .body(body)
        .post("/api/v1/access/check")
        .then();
  }

  private static ValidatableResponse check(String bearer, String permission, String scope) {
    return check(bearer, Map.of("permission", permission, "scope", scope));
  }

  @Test
  void bearerIsRequired() {
    given()
        .contentType("application/json")
        .body(Map.of("permission", "pipeline.run", "scope", "/"))
        .post("/api/v1/access/check")
        .then()
        .statusCode(401)
        .contentType(containsString("application/problem+json"));
  }

  @Test
  void tokensOfUntrustedKeysAreRefused() {
    check(IssuerTestResource.issuer().foreignToken("alice"), "pipeline.run", "/").statusCode(401);
  }

  @Test
  void aliceMayRunPipelinesInDemo() {
    check(Tokens.of("alice"), "pipeline.run", "/workspaces/demo/pipelines/x")
        .statusCode(200)
        .body("effect", equalTo("allow"))
        .body("decisionId", notNullValue())
        .body("policyVersion", startsWith("seed-1"))
        .body("reasons[0]", containsString("developer"));
  }

  @Test
  void carolMayNotRun() {
    check(Tokens.of("carol"), "pipeline.run", "/workspaces/demo/pipelines/x")
        .statusCode(200)
        .body("effect", equalTo("deny"))
        .body("reasons[0]", containsString("carol"));
  }

  @Test
  void bobMayNotUseTheIdentity() {
    check(Tokens.of("bob"), "pipeline.run", "/workspaces/demo/pipelines/x")
        .body("effect", equalTo("allow"));
    check(Tokens.of("bob"), "identity.use", "/workspaces/demo/identities/etl-bot")
        .statusCode(200)
        .body("effect", equalTo("deny"));
  }

  @Test
  void assignmentsAreInheritedButNotBySiblings() {
    check(Tokens.of("admin"), "pipeline.write", "/workspaces/any/pipelines/p")
        .body("effect", equalTo("allow"));
    check(Tokens.of("alice"), "pipeline.run", "/workspaces/demo2/pipelines/x")
        .body("effect", equalTo("deny"));
    check(Tokens.of("alice"), "identity.use", "/workspaces/demo/identities/other-bot")
        .body("effect", equalTo("deny"));
  }

  @Test
  void groupsOfAnotherIssuersTokenCount() {
    String dave = IssuerTestResource.issuer().token("dave", List.of("demo-developers"));
    check(dave, "pipeline.run", "/workspaces/demo/pipelines/x").body("effect", equalTo("allow"));
    String erin = IssuerTestResource.issuer().token("erin", List.of("other"));
    check(erin, "pipeline.run", "/workspaces/demo/pipelines/x").body("effect", equalTo("deny"));
  }

  @Test
  void aTokenInTheBodyIsCheckedInsteadOfTheCaller() {
    check(
            Tokens.of("carol"),
            Map.of(
                "permission", "pipeline.run",
                "scope", "/workspaces/demo/pipelines/x",
                "token", Tokens.of("alice")))
        .statusCode(200)
        .body("effect", equalTo("allow"));
    check(
            Tokens.of("alice"),
            Map.of(
                "permission", "pipeline.run",
                "scope", "/workspaces/demo/pipelines/x",
                "token", IssuerTestResource.issuer().foreignToken("alice")))
        .statusCode(200)
        .body("effect", equalTo("deny"))
        .body("reasons[0]", containsString("does not verify"));
  }

  /**
   * A trigger token is no bearer for the API, but a service may ask on behalf of one (as the
   * trigger service does for each trigger on Kafka): the decision is for its subject.
   */
  @Test
  void aTriggerTokenIsAskedAboutOnBehalfNeverUsedAsTheBearer() {
    String alicesTrigger = Tokens.forTriggers("alice");
    check(
            alicesTrigger,
            Map.of("permission", "pipeline.run", "scope", "/workspaces/demo/pipelines/x"))
        .statusCode(401);
    check(
            Tokens.of("trigger-service"),
            Map.of(
                "permission", "pipeline.run",
                "scope", "/workspaces/demo/pipelines/x",
                "token", alicesTrigger))
        .statusCode(200)
        .body("effect", equalTo("allow"));
    // Whoever can read the topic holds the token: only a service may ask about it.
    check(
            Tokens.of("carol"),
            Map.of(
                "permission", "pipeline.run",
                "scope", "/workspaces/demo/pipelines/x",
                "token", alicesTrigger))
        .statusCode(403);
  }

  @Test
  void askingAboutAPrincipalNeedsPolicyWrite() {
    Map<String, Object> aboutBob =
        Map.of(
            "permission", "identity.use",
            "scope", "/workspaces/demo/identities/etl-bot",
            "principal", "alice");
    check(Tokens.of("alice"), aboutBob)
        .statusCode(403)
        .contentType(containsString("application/problem+json"));
    check(Tokens.of("trigger-service"), aboutBob).statusCode(200).body("effect", equalTo("allow"));
    check(
            Tokens.of("admin"),
            Map.of(
                "permission", "pipeline.run",
                "scope", "/workspaces/demo/pipelines/x",
                "principal", "frank",
                "groups", List.of("demo-developers")))
        .statusCode(200)
        .body("effect", equalTo("allow"));
  }

  @Test
  void badRequestsNameTheField() {
    check(Tokens.of("alice"), Map.of("scope", "/"))
        .statusCode(400)
        .body("errors.field", hasItem("/permission"));
    check(Tokens.of("alice"), "pipeline.run", "workspaces/demo")
        .statusCode(400)
        .body("errors.field", hasItem("/scope"));
  }
}
