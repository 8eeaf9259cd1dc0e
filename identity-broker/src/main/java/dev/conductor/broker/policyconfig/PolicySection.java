package dev.conductor.broker.policyconfig;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conductor.broker.policy.PolicyStore;
import dev.conductor.platform.config.ConfigChange;
import dev.conductor.platform.db.section.Section;
import dev.conductor.platform.db.section.SectionChange;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * A section of the broker's policy (DESIGN §7) on platform-db's section framework. What the broker
 * adds to every one of its sections: validation against the roles stored now (read in the section's
 * transaction, so under the policy lock for a PUT), checks against the stored policy, and no
 * escalation: a change may not grant what the caller does not hold itself.
 */
public abstract class PolicySection implements Section {
  @Inject PolicyStore store;

  /**
   * Validates the whole document and answers it keyed and normalized (defaults filled in, lists
   * sorted where order has no meaning); {@code roles} maps each stored role to its permissions.
   *
   * @throws dev.conductor.platform.problem.ProblemException 400 naming every field at fault
   */
  public abstract SortedMap<String, JsonNode> parse(
      JsonNode body, String workspace, Map<String, Set<String>> roles);

  /** The section as stored, keyed and normalized like {@link #parse}. */
  public abstract Uni<SortedMap<String, JsonNode>> current(SqlClient db, String workspace);

  /**
   * Checks that need the stored policy, before anything is written. Fails with a problem (e.g. 409
   * for a role still in use).
   */
  public Uni<Void> check(
      SqlClient db,
      String workspace,
      Map<String, JsonNode> current,
      Map<String, JsonNode> desired) {
    return Uni.createFrom().voidItem();
  }

  /**
   * No escalation: refuses (403 naming the fields) a change that would grant something the caller
   * does not hold itself. Runs after {@link #check}, for dry runs too; removing never needs it.
   */
  public void authorize(
      Grants grants,
      JsonNode body,
      String workspace,
      Map<String, JsonNode> current,
      Map<String, JsonNode> desired,
      Map<String, Set<String>> roles) {}

  /** Replaces the stored section with {@code desired}. */
  public abstract Uni<Void> write(
      SqlConnection tx,
      String workspace,
      Map<String, JsonNode> current,
      Map<String, JsonNode> desired);

  @Override
  public final Uni<Map<String, JsonNode>> parse(SqlClient db, String workspace, JsonNode document) {
    return roles(db).map(roles -> parse(document, workspace, roles));
  }

  @Override
  public final Uni<Map<String, JsonNode>> read(SqlClient db, String workspace) {
    // Sorted: the document GET answers keeps that order.
    return current(db, workspace).<Map<String, JsonNode>>map(items -> items);
  }

  @Override
  public final Uni<Void> check(SqlClient db, SectionChange change) {
    String workspace = change.workspace();
    return check(db, workspace, change.current(), change.desired())
        .chain(() -> roles(db))
        .invoke(
            roles ->
                authorize(
                    new Grants(change.caller(), store.policy()),
                    change.document(),
                    workspace,
                    change.current(),
                    change.desired(),
                    roles))
        .replaceWithVoid();
  }

  @Override
  public final Uni<List<ConfigChange>> store(SqlConnection tx, SectionChange change) {
    return write(tx, change.workspace(), change.current(), change.desired())
        .replaceWith(change.changes());
  }

  /** The roles stored now (name to permissions). */
  static Uni<Map<String, Set<String>>> roles(SqlClient db) {
    return db.query(
            """
            SELECT r.name, p.permission FROM roles r
            LEFT JOIN role_permissions p ON p.role = r.name
            """)
        .execute()
        .map(
            rows -> {
              Map<String, Set<String>> roles = new HashMap<>();
              for (Row row : rows) {
                Set<String> perms = roles.computeIfAbsent(row.getString(0), k -> new TreeSet<>());
                if (row.getString(1) != null) {
                  perms.add(row.getString(1));
                }
              }
              return roles;
            });
  }
}
