package dev.conductor.broker.policyconfig;

import static dev.conductor.broker.support.ConfigApi.effect;
import static dev.conductor.broker.support.ConfigApi.get;
import static dev.conductor.broker.support.ConfigApi.put;
import static dev.conductor.broker.support.ConfigApi.versionInForce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conductor.broker.policy.PolicyVersion;
import dev.conductor.broker.policy.SeedLoader;
import dev.conductor.broker.support.BrokerTestResource;
import dev.conductor.broker.support.ConfigApi;
import dev.conductor.broker.support.Tokens;
import dev.conductor.testkit.KafkaTestResource;
import dev.conductor.testkit.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Seed reloads and config sections own separate rows; every instance follows the policy. */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = BrokerTestResource.class, restrictToAnnotatedClass = false)
class PolicyOwnershipTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ROLES = "/api/v1/config/roles";

  @Inject SeedLoader seeds;
  @Inject Pool pool;

  private static String assignments(String ws) {
    return "/api/v1/workspaces/" + ws + "/config/assignments";
  }

  @SuppressWarnings("unchecked")
  private static Map<String, List<String>> roles() {
    return new TreeMap<>((Map<String, List<String>>) ConfigApi.document(Tokens.of("admin"), ROLES));
  }

  @Test
  void aSeedReloadReplacesOnlySeedOwnedRowsAndNeverDeletesRoles() throws Exception {
    String admin = Tokens.of("admin");
    Map<String, List<String>> original = roles();
    Map<String, List<String>> withReloadRole = new TreeMap<>(original);
    withReloadRole.put("reload-role", List.of("run.read"));
    put(admin, ROLES, withReloadRole).statusCode(200);
    put(admin, assignments("reload"), List.of(Map.of("principal", "gina", "role", "reload-role")))
        .statusCode(200);

    // A changed seed: one more assignment, one more identity.
    ObjectNode seed;
    try (InputStream in = getClass().getResourceAsStream("/seed/local.json")) {
      seed = (ObjectNode) JSON.readTree(in);
    }
    ((ArrayNode) seed.get("assignments"))
        .addObject()
        .put("principal", "henry")
        .put("role", "viewer")
        .put("scope", "/workspaces/reload");
    ObjectNode bot = ((ArrayNode) seed.get("identities")).addObject();
    bot.put("workspace", "reload").put("name", "temp-bot");
    bot.putArray("environments").add("dev");
    Path file = Files.createTempFile("seed", ".json");
    Files.write(file, JSON.writeValueAsBytes(seed));

    String before = versionInForce();
    seeds.load(file.toString());
    String reloaded = versionInForce();
    assertThat(reloaded).isNotEqualTo(before).startsWith("seed-1+r");
    assertThat(effect("henry", "run.read", "/workspaces/reload")).isEqualTo("allow");
    // What the sections wrote survives: the role (with its assignment) and the assignment.
    assertThat(effect("gina", "run.read", "/workspaces/reload")).isEqualTo("allow");
    assertThat(roles()).containsKey("reload-role");
    get(admin, assignments("reload")).statusCode(200).body("principal", equalTo(List.of("gina")));

    // Back to the classpath seed: henry goes, gina stays.
    seeds.load("classpath:seed/local.json");
    assertThat(effect("henry", "run.read", "/workspaces/reload")).isEqualTo("deny");
    assertThat(effect("gina", "run.read", "/workspaces/reload")).isEqualTo("allow");
    assertThat(versionInForce()).isNotEqualTo(reloaded);

    put(admin, assignments("reload"), List.of()).statusCode(200);
    put(admin, ROLES, original).statusCode(200).body("changed", equalTo(true));
    Files.delete(file);
  }

  @Test
  void aSeedReloadKeepsThePermissionsOfRolesChangedThroughTheSection() throws Exception {
    String admin = Tokens.of("admin");
    Map<String, List<String>> original = roles();
    // Through the section: auditors gain sql.ddl (auditor becomes section-owned).
    Map<String, List<String>> edited = new TreeMap<>(original);
    List<String> auditor = new java.util.ArrayList<>(original.get("auditor"));
    auditor.add("sql.ddl");
    edited.put("auditor", auditor);
    put(admin, ROLES, edited).statusCode(200).body("changed", equalTo(true));
    assertThat(effect("auditor", "sql.ddl", "/")).isEqualTo("allow");

    // A changed seed that still names auditor (with its old permissions) and widens identity-user,
    // a role the section never changed.
    ObjectNode seed;
    try (InputStream in = getClass().getResourceAsStream("/seed/local.json")) {
      seed = (ObjectNode) JSON.readTree(in);
    }
    ((ArrayNode) seed.get("roles").get("identity-user")).add("identity.read");
    Path file = Files.createTempFile("seed", ".json");
    Files.write(file, JSON.writeValueAsBytes(seed));
    try {
      seeds.load(file.toString());
      // The section's edit survives the reload; the seed-owned role follows the seed.
      assertThat(roles().get("auditor")).containsExactlyInAnyOrderElementsOf(auditor);
      assertThat(effect("auditor", "sql.ddl", "/")).isEqualTo("allow");
      assertThat(roles().get("identity-user")).containsExactly("identity.read", "identity.use");

      seeds.load("classpath:seed/local.json");
      assertThat(roles().get("identity-user")).containsExactly("identity.use");
      assertThat(roles().get("auditor")).contains("sql.ddl");
    } finally {
      seeds.load("classpath:seed/local.json");
      Files.delete(file);
    }
    put(admin, ROLES, original).statusCode(200).body("changed", equalTo(true));
    assertThat(effect("auditor", "sql.ddl", "/")).isEqualTo("deny");
  }

  @Test
  void aRoleCreatedThroughAnotherInstanceCanBeAssignedAtOnce() {
    String admin = Tokens.of("admin");
    // Another instance created the role; this instance has not refreshed (no revision bump, so no
    // poll will pick it up either): only the database knows it.
    pool.withTransaction(
            tx ->
                tx.query(PolicyVersion.LOCK_SQL)
                    .execute()
                    .chain(
                        () ->
                            tx.query(
                                    "INSERT INTO roles (name, owner) VALUES ('fresh-role', 'section')")
                                .execute())
                    .chain(
                        () ->
                            tx.query(
                                    "INSERT INTO role_permissions (role, permission)"
                                        + " VALUES ('fresh-role', 'run.read')")
                                .execute()))
        .await()
        .atMost(Duration.ofSeconds(10));
    assertThat(roles()).containsKey("fresh-role");

    put(admin, assignments("fresh"), List.of(Map.of("principal", "jane", "role", "fresh-role")))
        .statusCode(200)
        .body("changes.op", equalTo(List.of("add")));
    assertThat(effect("jane", "run.read", "/workspaces/fresh")).isEqualTo("allow");
    // A role that exists nowhere is still a 400 naming the field.
    put(
            admin,
            assignments("fresh"),
            List.of(
                Map.of("principal", "jane", "role", "fresh-role"),
                Map.of("principal", "jane", "role", "no-such-role")))
        .statusCode(400)
        .body("errors.field", equalTo(List.of("/1/role")));

    put(admin, assignments("fresh"), List.of()).statusCode(200);
    Map<String, List<String>> without = roles();
    without.remove("fresh-role");
    put(admin, ROLES, without).statusCode(200).body("changes.op", equalTo(List.of("remove")));
  }

  @Test
  void aChangeMadeThroughAnotherInstanceIsFollowedWithinSeconds() {
    assertThat(effect("ivan", "run.read", "/workspaces/follow")).isEqualTo("deny");
    // Another instance's commit, as it would look in the database: a row plus a revision.
    pool.withTransaction(
            tx ->
                tx.query(PolicyVersion.LOCK_SQL)
                    .execute()
                    .chain(
                        () ->
                            tx.query(
                                    "INSERT INTO assignments (principal, role, scope, owner) VALUES"
                                        + " ('ivan', 'viewer', '/workspaces/follow', 'workspace:follow')")
                                .execute())
                    .chain(() -> tx.query("UPDATE policy SET revision = revision + 1").execute()))
        .await()
        .atMost(Duration.ofSeconds(10));
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> effect("ivan", "run.read", "/workspaces/follow").equals("allow"));
    put(Tokens.of("admin"), assignments("follow"), List.of())
        .statusCode(200)
        .body("changes.op", equalTo(List.of("remove")));
    assertThat(effect("ivan", "run.read", "/workspaces/follow")).isEqualTo("deny");
  }
}
