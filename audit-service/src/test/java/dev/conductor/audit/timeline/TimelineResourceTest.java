package dev.conductor.audit.timeline;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import dev.conductor.audit.RunEvents;
import dev.conductor.testkit.AccessTestResource;
import dev.conductor.testkit.IssuerTestResource;
import dev.conductor.testkit.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Access rules of the timeline; its content is checked in LedgerFlowTest. */
@QuarkusTest
class TimelineResourceTest {
  @Test
  void timelineNeedsATokenAndAuditReadOnTheRunsWorkspace() {
    RunEvents run = new RunEvents();
    RunEvents.Published requested = run.events.get(0);
    KafkaProbe.shared().publish(requested.event(), requested.topic(), run.traceparent);
    String path = "/api/v1/runs/" + run.runId + "/timeline";

    given().get(path).then().statusCode(401).contentType("application/problem+json");
    given()
        .auth()
        .oauth2(IssuerTestResource.issuer().foreignToken("mallory"))
        .get(path)
        .then()
        .statusCode(401);

    String stranger = "stranger-" + UUID.randomUUID();
    AccessTestResource.grant(stranger, "audit.read", "/workspaces/another-" + run.workspace);
    AccessTestResource.grant(stranger, "run.read", "/workspaces/" + run.workspace);
    await().atMost(Duration.ofSeconds(30)).until(() -> status(stranger, path) != 404);
    given()
        .auth()
        .oauth2(token(stranger))
        .get(path)
        .then()
        .statusCode(403)
        .contentType("application/problem+json");

    String auditor = "auditor-" + UUID.randomUUID();
    AccessTestResource.grant(auditor, "audit.read", "/workspaces/" + run.workspace);
    given().auth().oauth2(token(auditor)).get(path).then().statusCode(200);
  }

  @Test
  void anUnknownRunIs404() {
    String auditor = "auditor-" + UUID.randomUUID();
    AccessTestResource.grant(auditor, "audit.read", "/");
    given()
        .auth()
        .oauth2(token(auditor))
        .get("/api/v1/runs/{runId}/timeline", UUID.randomUUID().toString())
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
  }

  private static int status(String subject, String path) {
    return given().auth().oauth2(token(subject)).get(path).then().extract().statusCode();
  }

  private static String token(String subject) {
    return IssuerTestResource.issuer().token(subject, List.of());
  }
}
