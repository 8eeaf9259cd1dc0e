package dev.conductor.broker.policyconfig;

import static dev.conductor.broker.support.ConfigApi.changes;
import static dev.conductor.broker.support.ConfigApi.dryRun;
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
class IdentitiesSectionTest {
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
    return "/api/v1/workspaces/" + ws + "/config/identities";
  }

  private static String admin() {
    return Tokens.of("admin");
  }

  @Test
  void aChangeAnswersTheDiffIsStoredAndEmitsOneConfigChanged() {
    String ws = "ids-change";
    Map<String, Object> doc =
        Map.of(
            "loader",
            Map.of("description", "loads", "environments", List.of("test", "dev")),
            "reporter",
            Map.of("environments", List.of("prod"), "tags", Map.of("team", "bi")));
    String before = versionInForce();

    dryRun(admin(), path(ws), doc)
        .statusCode(200)
        .body("dryRun", equalTo(true))
        .body("changed", equalTo(true))
        .body("version", equalTo(before));
    get(admin(), path(ws)).statusCode(200).body("size()", equalTo(0));

    String version =
        put(admin(), path(ws), doc)
            .statusCode(200)
            .body("section", equalTo("identities"))
            .body("workspace", equalTo(ws))
            .body("changed", equalTo(true))
            .body("changes.op", equalTo(List.of("add", "add")))
            .body("changes.item", equalTo(List.of("loader", "reporter")))
            .extract()
            .path("version");
    assertThat(version).isNotEqualTo(before);

    // Normalized: environments sorted, tags present.
    Object stored = ConfigApi.document(admin(), path(ws));
    assertThat(stored)
        .isEqualTo(
            Map.of(
                "loader",
                Map.of(
                    "description",
                    "loads",
                    "environments",
                    List.of("dev", "test"),
                    "tags",
                    Map.of()),
                "reporter",
                Map.of("environments", List.of("prod"), "tags", Map.of("team", "bi"))));
    put(admin(), path(ws), stored)
        .statusCode(200)
        .body("changed", equalTo(false))
        .body("version", equalTo(version));

    // A later change. Replace semantics: reporter left out is removed; loader's change names the
    // field.
    String replaced =
        put(admin(), path(ws), Map.of("loader", Map.of("environments", List.of("dev"))))
            .statusCode(200)
            .body("changes.op", equalTo(List.of("change", "remove")))
            .body(
                "changes[0].details",
                hasItems(containsString("/description"), containsString("/environments")))
            .body("changes[1].item", equalTo("reporter"))
            .extract()
            .path("version");

    // The relay publishes a key in order: once the later change's event is here, anything the dry
    // run or the no-op had emitted is here too. So the whole sequence is the two real changes.
    String key = "config/" + ws + "/identities";
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> changes(probe, key).stream().anyMatch(c -> replaced.equals(c.newVersion())));
    assertThat(changes(probe, key))
        .containsExactly(
            new ConfigChanged(ws, "identities", "admin", before, version),
            new ConfigChanged(ws, "identities", "admin", version, replaced));
  }

  @Test
  void anInvalidDocumentNamesEveryFieldAtFault() {
    String ws = "ids-invalid";
    put(
            admin(),
            path(ws),
            Map.of(
                "bad name", Map.of("environments", List.of("dev")),
                "no-envs", Map.of("environments", List.of()),
                "bad-env", Map.of("environments", List.of("dev", "a/b")),
                "bad-tags", Map.of("environments", List.of("dev"), "tags", Map.of("k", 1)),
                "extra", Map.of("environments", List.of("dev"), "owner", "me")))
        .statusCode(400)
        .contentType(containsString("application/problem+json"))
        .body(
            "errors.field",
            hasItems(
                "/bad name",
                "/no-envs/environments",
                "/bad-env/environments/1",
                "/bad-tags/tags/k",
                "/extra/owner"))
        .body("errors", hasSize(5));
    put(admin(), path(ws), List.of()).statusCode(400).body("errors.field", hasItems("/"));
    get(admin(), path(ws)).statusCode(200).body("size()", equalTo(0));
  }

  @Test
  void needsATokenAndConfigWrite() {
    given().contentType("application/json").body(Map.of()).put(path("demo")).then().statusCode(401);
    put(Tokens.of("alice"), path("demo"), Map.of())
        .statusCode(403)
        .contentType(containsString("application/problem+json"));
    get(Tokens.of("carol"), path("demo")).statusCode(403);
  }
}
