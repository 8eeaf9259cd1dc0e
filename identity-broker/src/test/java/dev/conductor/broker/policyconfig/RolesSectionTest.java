package dev.conductor.broker.policyconfig;

import static dev.conductor.broker.support.ConfigApi.changes;
import static dev.conductor.broker.support.ConfigApi.dryRun;
import static dev.conductor.broker.support.ConfigApi.effect;
import static dev.conductor.broker.support.ConfigApi.put;
import static dev.conductor.broker.support.ConfigApi.versionInForce;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.nullValue;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = BrokerTestResource.class, restrictToAnnotatedClass = false)
class RolesSectionTest {
  private static final String PATH = "/api/v1/config/roles";
  private static KafkaProbe probe;

  @BeforeAll
  static void startProbe() {
    probe = BrokerOutputs.probe();
  }

  @AfterAll
  static void stopProbe() {
    probe.close();
  }

  private static String admin() {
    return Tokens.of("admin");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, List<String>> roles() {
    return new TreeMap<>((Map<String, List<String>>) ConfigApi.document(admin(), PATH));
  }

  @Test
  void addingAPermissionToARoleAllowsItAndIsOneChange() {
    Map<String, List<String>> roles = roles();
    assertThat(roles.get("admin")).containsExactly("*");
    assertThat(roles.get("developer")).contains("config.read");
    // The version in force before the no-op PUT: anything the no-op (or the dry run below) emitted
    // would name it as its old version.
    String before = versionInForce();
    put(admin(), PATH, roles)
        .statusCode(200)
        .body("changed", equalTo(false))
        .body("version", equalTo(before));

    // carol is a viewer of demo; viewers gain sql.ddl.
    assertThat(effect("carol", "sql.ddl", "/workspaces/demo")).isEqualTo("deny");
    List<String> viewer = new ArrayList<>(roles.get("viewer"));
    viewer.add("sql.ddl");
    roles.put("viewer", viewer);
    dryRun(admin(), PATH, roles).statusCode(200).body("changed", equalTo(true));
    assertThat(effect("carol", "sql.ddl", "/workspaces/demo")).isEqualTo("deny");

    String version =
        put(admin(), PATH, roles)
            .statusCode(200)
            .body("section", equalTo("roles"))
            .body("workspace", nullValue())
            .body("changes.op", equalTo(List.of("change")))
            .body("changes[0].item", equalTo("viewer"))
            .extract()
            .path("version");
    assertThat(effect("carol", "sql.ddl", "/workspaces/demo")).isEqualTo("allow");
    assertThat(roles().get("viewer")).containsExactly("pipeline.read", "run.read", "sql.ddl");

    // Roles are global, so other tests change them too: everything that left the version in force
    // before the no-op PUT must be this one event (neither the no-op nor the dry run emitted
    // anything). The relay publishes a key in order, so once this change's event is here, anything
    // emitted before it is here too.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                changes(probe, "config/roles").stream()
                    .anyMatch(c -> version.equals(c.newVersion())));
    assertThat(changes(probe, "config/roles").stream().filter(c -> before.equals(c.oldVersion())))
        .containsExactly(new ConfigChanged(null, "roles", "admin", before, version));

    // Back as it was (other tests share the policy).
    roles.put("viewer", List.of("pipeline.read", "run.read"));
    put(admin(), PATH, roles).statusCode(200).body("changed", equalTo(true));
    assertThat(effect("carol", "sql.ddl", "/workspaces/demo")).isEqualTo("deny");
  }

  @Test
  void aRoleInUseIsNotRemovedButAnUnusedOneIs() {
    Map<String, List<String>> roles = roles();
    Map<String, List<String>> withoutAuditor = new TreeMap<>(roles);
    withoutAuditor.remove("auditor");
    put(admin(), PATH, withoutAuditor)
        .statusCode(409)
        .contentType(containsString("application/problem+json"))
        .body("detail", containsString("role auditor is used by 1 assignment"));
    dryRun(admin(), PATH, withoutAuditor).statusCode(409);
    assertThat(roles()).containsKey("auditor");

    Map<String, List<String>> withTemp = new TreeMap<>(roles);
    withTemp.put("temp-role", List.of("run.read"));
    put(admin(), PATH, withTemp).statusCode(200).body("changes.op", equalTo(List.of("add")));
    put(admin(), PATH, roles)
        .statusCode(200)
        .body("changes.op", equalTo(List.of("remove")))
        .body("changes[0].item", equalTo("temp-role"));
    assertThat(roles()).doesNotContainKey("temp-role");
  }

  @Test
  void aDryRunParameterOtherThanTrueOrFalseIsRefusedNotApplied() {
    Map<String, List<String>> roles = roles();
    Map<String, List<String>> withExtra = new TreeMap<>(roles);
    withExtra.put("dryrun-role", List.of("run.read"));
    for (String value : List.of("1", "yes", "")) {
      given()
          .auth()
          .oauth2(admin())
          .contentType("application/json")
          .queryParam("dryRun", value)
          .body(withExtra)
          .put(PATH)
          .then()
          .statusCode(400)
          .contentType(containsString("application/problem+json"))
          .body("errors.field", equalTo(List.of("dryRun")));
    }
    // A bare ?dryRun is no preview either, nor are two values.
    for (String query : List.of("?dryRun", "?dryRun=true&dryRun=false")) {
      given()
          .auth()
          .oauth2(admin())
          .contentType("application/json")
          .body(withExtra)
          .put(PATH + query)
          .then()
          .statusCode(400)
          .body("errors.field", equalTo(List.of("dryRun")));
    }
    assertThat(roles()).doesNotContainKey("dryrun-role");
  }

  @Test
  void anInvalidDocumentNamesEveryFieldAtFault() {
    Map<String, Object> doc = new TreeMap<>(roles());
    doc.put("broken", List.of("run.read", " ", "run.read"));
    doc.put("bad name", List.of("x"));
    doc.put("not-a-list", "x");
    put(admin(), PATH, doc)
        .statusCode(400)
        .body("errors.field", hasItems("/broken/1", "/broken/2", "/bad name", "/not-a-list"));
  }

  @Test
  void needsATokenAndConfigWriteAtTheRoot() {
    given().contentType("application/json").body(Map.of()).put(PATH).then().statusCode(401);
    given().get(PATH).then().statusCode(401);
    // auditors read the configuration (config.read at /), but do not write it.
    ConfigApi.get(Tokens.of("auditor"), PATH).statusCode(200);
    put(Tokens.of("auditor"), PATH, roles())
        .statusCode(403)
        .contentType(containsString("application/problem+json"));
    ConfigApi.get(Tokens.of("alice"), PATH).statusCode(403);
  }
}
