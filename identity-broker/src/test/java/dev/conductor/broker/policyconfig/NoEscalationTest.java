package dev.conductor.broker.policyconfig;

import static dev.conductor.broker.support.ConfigApi.dryRun;
import static dev.conductor.broker.support.ConfigApi.effect;
import static dev.conductor.broker.support.ConfigApi.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import dev.conductor.broker.policy.PolicyVersion;
import dev.conductor.broker.support.BrokerTestResource;
import dev.conductor.broker.support.ConfigApi;
import dev.conductor.broker.support.Tokens;
import dev.conductor.testkit.KafkaTestResource;
import dev.conductor.testkit.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * No escalation: config.write lets a caller change a section, but every assignment or role
 * permission it adds may grant only what the caller holds itself.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = BrokerTestResource.class, restrictToAnnotatedClass = false)
class NoEscalationTest {
  private static final String ROLES = "/api/v1/config/roles";
  // config.write and run.read, nothing else.
  private static final String EDITOR = "esc-config-editor";

  @Inject Pool pool;

  private static String assignments(String ws) {
    return "/api/v1/workspaces/" + ws + "/config/assignments";
  }

  @SuppressWarnings("unchecked")
  private static Map<String, List<String>> roles() {
    return new TreeMap<>((Map<String, List<String>>) ConfigApi.document(Tokens.of("admin"), ROLES));
  }

  private static Map<String, List<String>> withEditor(Map<String, List<String>> roles) {
    Map<String, List<String>> with = new TreeMap<>(roles);
    with.put(EDITOR, List.of("config.read", "config.write", "run.read"));
    return with;
  }

  @Test
  void aWorkspaceConfigWriterCannotAssignMoreThanItHolds() {
    String admin = Tokens.of("admin");
    String bob = Tokens.of("bob");
    String ws = "esc";
    Map<String, List<String>> original = roles();
    put(admin, ROLES, withEditor(original)).statusCode(200);
    Map<String, String> bobEditor = Map.of("principal", "bob", "role", EDITOR);
    Map<String, String> daveAdmin = Map.of("principal", "dave", "role", "admin");
    // admin holds * at /, so it may grant anything.
    put(admin, assignments(ws), List.of(bobEditor, daveAdmin)).statusCode(200);
    Object stored = ConfigApi.document(admin, assignments(ws));

    // bob (config.write at /workspaces/esc) making himself admin there: refused, naming the item.
    List<Map<String, String>> selfAdmin =
        List.of(bobEditor, daveAdmin, Map.of("principal", "bob", "role", "admin"));
    put(bob, assignments(ws), selfAdmin)
        .statusCode(403)
        .contentType(containsString("application/problem+json"))
        .body("field", equalTo("/2/role"))
        .body("errors.field", equalTo(List.of("/2/role")))
        .body("detail", containsString("lacks *"));
    // A dry run reports the same.
    dryRun(bob, assignments(ws), selfAdmin).statusCode(403).body("field", equalTo("/2/role"));
    // Nor a role with one permission bob lacks (viewer: pipeline.read, run.read).
    put(bob, assignments(ws), List.of(bobEditor, daveAdmin, Map.of("group", "g", "role", "viewer")))
        .statusCode(403)
        .body("field", equalTo("/2/role"))
        .body("detail", containsString("lacks pipeline.read"))
        .body("detail", not(containsString("run.read")));
    assertThat(ConfigApi.document(admin, assignments(ws))).isEqualTo(stored);
    assertThat(effect("bob", "config.write", "/workspaces/" + ws + "/x")).isEqualTo("allow");
    assertThat(effect("bob", "pipeline.write", "/workspaces/" + ws)).isEqualTo("deny");

    // What bob holds he may grant (below his scope too); removing (dave's admin) needs no check.
    put(
            bob,
            assignments(ws),
            List.of(
                bobEditor,
                Map.of("principal", "carol", "role", EDITOR, "scope", "/workspaces/" + ws + "/p")))
        .statusCode(200)
        .body("changes.op", equalTo(List.of("add", "remove")));
    assertThat(effect("carol", "config.write", "/workspaces/" + ws + "/p")).isEqualTo("allow");

    put(admin, assignments(ws), List.of()).statusCode(200);
    put(admin, ROLES, original).statusCode(200);
  }

  @Test
  void aRootConfigWriterCannotGiveRolesPermissionsItLacks() {
    String admin = Tokens.of("admin");
    String carol = Tokens.of("carol");
    Map<String, List<String>> original = roles();
    Map<String, List<String>> base = withEditor(original);
    put(admin, ROLES, base).statusCode(200);
    // carol gets config.write (and run.read) at / — as only the seed or a database write could.
    pool.withTransaction(
            tx ->
                tx.query(PolicyVersion.LOCK_SQL)
                    .execute()
                    .chain(
                        () ->
                            tx.query(
                                    "INSERT INTO assignments (principal, role, scope, owner) VALUES"
                                        + " ('carol', '"
                                        + EDITOR
                                        + "', '/', 'workspace:esc-root')")
                                .execute())
                    .chain(() -> tx.query("UPDATE policy SET revision = revision + 1").execute()))
        .await()
        .atMost(Duration.ofSeconds(10));
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> effect("carol", "config.write", "/").equals("allow"));

    // A new role with a permission carol lacks at /.
    Map<String, List<String>> newRole = new TreeMap<>(base);
    newRole.put("esc-new", List.of("run.read", "sql.ddl"));
    put(carol, ROLES, newRole)
        .statusCode(403)
        .contentType(containsString("application/problem+json"))
        .body("field", equalTo("/esc-new/1"))
        .body("detail", containsString("lacks sql.ddl"));
    dryRun(carol, ROLES, newRole).statusCode(403).body("field", equalTo("/esc-new/1"));
    // Widening a role to *.
    Map<String, List<String>> widened = new TreeMap<>(base);
    List<String> viewer = new ArrayList<>(base.get("viewer"));
    viewer.add("*");
    widened.put("viewer", viewer);
    put(carol, ROLES, widened)
        .statusCode(403)
        .body("field", equalTo("/viewer/2"))
        .body("detail", containsString("lacks *"));
    assertThat(roles()).isEqualTo(base);

    // What carol holds at / she may add; narrowing needs no check.
    Map<String, List<String>> ok = new TreeMap<>(base);
    ok.put("esc-ok", List.of("run.read"));
    put(carol, ROLES, ok).statusCode(200).body("changes.op", equalTo(List.of("add")));
    ok.put("esc-ok", List.of());
    put(carol, ROLES, ok).statusCode(200).body("changes.op", equalTo(List.of("change")));

    put(admin, assignments("esc-root"), List.of()).statusCode(200);
    put(admin, ROLES, original).statusCode(200);
  }
}
