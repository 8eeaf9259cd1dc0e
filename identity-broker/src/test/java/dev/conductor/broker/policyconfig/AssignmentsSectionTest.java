package dev.conductor.broker.policyconfig;

import static dev.conductor.broker.support.ConfigApi.changes;
import static dev.conductor.broker.support.ConfigApi.dryRun;
import static dev.conductor.broker.support.ConfigApi.effect;
import static dev.conductor.broker.support.ConfigApi.get;
import static dev.conductor.broker.support.ConfigApi.put;
import static dev.conductor.broker.support.ConfigApi.versionInForce;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;

import dev.conductor.broker.support.BrokerOutputs;
import dev.conductor.broker.support.BrokerTestResource;
import dev.conductor.broker.support.ConfigApi;
import dev.conductor.broker.support.Tokens;
import dev.conductor.events.data.ConfigChanged;
import dev.conductor.testkit.KafkaProbe;
import dev.conductor.testkit.KafkaTestResource;
import dev.conductor.testkit.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = BrokerTestResource.class, restrictToAnnotatedClass = false)
class AssignmentsSectionTest {
  private static KafkaProbe probe;

  @BeforeAll
  static void startProbe() {
    probe = BrokerOutputs.probe();
  }

  @AfterAll
  static void stopProbe() {
    probe.close();
  }

  private static String path(String ws) {
    return "/api/v1/workspaces/" + ws + "/config/assignments";
  }

  private static String admin() {
    return Tokens.of("admin");
  }

  @Test
  void aChangeAnswersTheDiffIsStoredAndEmitsOneConfigChanged() {
    String ws = "asg-change";
    List<Map<String, String>> doc =
        List.of(
            Map.of("principal", "dave", "role", "viewer"),
            Map.of(
                "group",
                "asg-ops",
                "role",
                "operator",
                "scope",
                "/workspaces/" + ws + "/pipelines/p"));
    String before = versionInForce();

    // A dry run answers the diff, but changes and emits nothing.
    dryRun(admin(), path(ws), doc)
        .statusCode(200)
        .body("dryRun", equalTo(true))
        .body("changed", equalTo(true))
        .body("version", equalTo(before))
        .body("changes", hasSize(2));
    get(admin(), path(ws)).statusCode(200).body("$", hasSize(0));
    assertThat(effect("dave", "pipeline.read", "/workspaces/" + ws)).isEqualTo("deny");

    String version =
        put(admin(), path(ws), doc)
            .statusCode(200)
            .body("section", equalTo("assignments"))
            .body("workspace", equalTo(ws))
            .body("dryRun", equalTo(false))
            .body("changed", equalTo(true))
            .body("changes.op", equalTo(List.of("add", "add")))
            .body(
                "changes.item",
                equalTo(
                    List.of(
                        "group:asg-ops role:operator scope:/workspaces/" + ws + "/pipelines/p",
                        "principal:dave role:viewer scope:/workspaces/" + ws)))
            .extract()
            .path("version");
    assertThat(version).isNotEqualTo(before).startsWith("seed-1+r");
    assertThat(versionInForce()).isEqualTo(version);

    // GET answers the stored section with defaults filled in; GET -> PUT changes nothing.
    Object stored = ConfigApi.document(admin(), path(ws));
    assertThat(stored)
        .isEqualTo(
            List.of(
                Map.of(
                    "group",
                    "asg-ops",
                    "role",
                    "operator",
                    "scope",
                    "/workspaces/" + ws + "/pipelines/p"),
                Map.of("principal", "dave", "role", "viewer", "scope", "/workspaces/" + ws)));
    put(admin(), path(ws), stored)
        .statusCode(200)
        .body("changed", equalTo(false))
        .body("changes", hasSize(0))
        .body("version", equalTo(version));

    // The policy in force has it.
    assertThat(effect("dave", "pipeline.read", "/workspaces/" + ws + "/pipelines/x"))
        .isEqualTo("allow");

    // A later change: removing an item is a remove.
    String removed =
        put(admin(), path(ws), List.of(Map.of("principal", "dave", "role", "viewer")))
            .statusCode(200)
            .body("changes.op", equalTo(List.of("remove")))
            .body("changes.item[0]", containsString("group:asg-ops"))
            .extract()
            .path("version");

    // The relay publishes a key in order: once the later change's event is here, anything the dry
    // run or the no-op had emitted is here too. So the whole sequence is the two real changes.
    String key = "config/" + ws + "/assignments";
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> changes(probe, key).stream().anyMatch(c -> removed.equals(c.newVersion())));
    assertThat(changes(probe, key))
        .containsExactly(
            new ConfigChanged(ws, "assignments", "admin", before, version),
            new ConfigChanged(ws, "assignments", "admin", version, removed));
  }

  @Test
  void aDryRunParameterOtherThanTrueOrFalseIsRefusedNotApplied() {
    String ws = "asg-dryrun";
    given()
        .auth()
        .oauth2(admin())
        .contentType("application/json")
        .queryParam("dryRun", "1")
        .body(List.of(Map.of("principal", "dave", "role", "viewer")))
        .put(path(ws))
        .then()
        .statusCode(400)
        .contentType(containsString("application/problem+json"))
        .body("errors.field", equalTo(List.of("dryRun")));
    get(admin(), path(ws)).statusCode(200).body("$", hasSize(0));
  }

  @Test
  void aSeedAssignmentSurvivesASectionThatDoesNotMentionIt() {
    put(admin(), path("demo"), List.of(Map.of("principal", "frank", "role", "viewer")))
        .statusCode(200)
        .body("changed", equalTo(true));
    // The section shows only its own rows; the seed's stay in force beside them.
    get(admin(), path("demo")).statusCode(200).body("principal", equalTo(List.of("frank")));
    assertThat(effect("alice", "identity.use", "/workspaces/demo/identities/etl-bot"))
        .isEqualTo("allow");
    assertThat(effect("frank", "run.read", "/workspaces/demo")).isEqualTo("allow");

    put(admin(), path("demo"), List.of())
        .statusCode(200)
        .body("changes.op", equalTo(List.of("remove")));
    assertThat(effect("frank", "run.read", "/workspaces/demo")).isEqualTo("deny");
    assertThat(effect("alice", "identity.use", "/workspaces/demo/identities/etl-bot"))
        .isEqualTo("allow");
  }

  @Test
  void anInvalidDocumentNamesEveryFieldAtFault() {
    String ws = "asg-invalid";
    put(
            admin(),
            path(ws),
            List.of(
                Map.of("principal", "a", "role", "viewer", "scope", "/workspaces/other"),
                Map.of("principal", "a", "role", "no-such-role"),
                Map.of("principal", "a", "group", "g", "role", "viewer"),
                Map.of("principal", "b", "role", "viewer"),
                Map.of("principal", "b", "role", "viewer", "scope", "/workspaces/" + ws),
                Map.of("principal", "c", "role", "viewer", "colour", "red")))
        .statusCode(400)
        .contentType(containsString("application/problem+json"))
        .body("errors.field", hasItems("/0/scope", "/1/role", "/2", "/4", "/5/colour"))
        .body("errors", hasSize(5));
    put(admin(), path(ws), Map.of("principal", "a"))
        .statusCode(400)
        .body("errors.field", hasItems("/"));
    get(admin(), path(ws)).statusCode(200).body("$", hasSize(0));
  }

  @Test
  void needsATokenAndConfigWrite() {
    given()
        .contentType("application/json")
        .body(List.of())
        .put(path("demo"))
        .then()
        .statusCode(401)
        .contentType(containsString("application/problem+json"));
    given().get(path("demo")).then().statusCode(401);
    // alice is a developer of demo: she may read its configuration, not write it.
    get(Tokens.of("alice"), path("demo")).statusCode(200);
    put(Tokens.of("alice"), path("demo"), List.of())
        .statusCode(403)
        .contentType(containsString("application/problem+json"));
    get(Tokens.of("alice"), path("elsewhere")).statusCode(403);
  }

  @Test
  void anUnknownSectionIsNotFound() {
    get(admin(), "/api/v1/workspaces/demo/config/nope")
        .statusCode(404)
        .contentType(containsString("application/problem+json"))
        .body("detail", containsString("assignments, identities"));
    get(admin(), "/api/v1/config/nope").statusCode(404).body("detail", containsString("roles"));
  }
}
