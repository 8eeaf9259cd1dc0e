package dev.conductor.broker.policyconfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.conductor.platform.config.SectionScope;
import dev.conductor.platform.problem.FieldErrors;
import dev.conductor.platform.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Global section {@code roles}: {@code {role: [permission, ...]}} ({@code *} stands for every
 * permission). It holds every role, the seed's included (a seed load only upserts the roles it
 * names), so this is the only way to remove one, and a role that any assignment still uses is not
 * removed (409). A role created or changed here becomes section-owned ({@code roles.owner =
 * 'section'}): a later seed reload no longer touches its permissions. Adding permissions to a role
 * (or creating one) needs the caller to hold them at {@code /} itself (403 otherwise).
 */
@ApplicationScoped
public class RolesSection extends PolicySection {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:-]+");
  private static final Pattern PERMISSION = Pattern.compile("\\*|[A-Za-z0-9._:-]+");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  @Override
  public String name() {
    return "roles";
  }

  @Override
  public SectionScope scope() {
    return SectionScope.GLOBAL;
  }

  @Override
  public SortedMap<String, JsonNode> parse(
      JsonNode body, String workspace, Map<String, Set<String>> roles) {
    if (body == null || !body.isObject()) {
      throw ProblemException.badRequest(
          "/", "the roles section is a JSON object {role: [permission]}");
    }
    FieldErrors errors = new FieldErrors();
    SortedMap<String, JsonNode> keyed = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String at = FieldErrors.at("", entry.getKey());
      int before = errors.count();
      if (!NAME.matcher(entry.getKey()).matches()) {
        errors.add(at, "a role name consists of letters, digits and . _ : -");
      }
      if (!entry.getValue().isArray()) {
        errors.add(at, "a role is an array of permissions");
        continue;
      }
      TreeSet<String> permissions = new TreeSet<>();
      JsonNode list = entry.getValue();
      for (int k = 0; k < list.size(); k++) {
        JsonNode p = list.get(k);
        if (!p.isTextual() || !PERMISSION.matcher(p.asText()).matches()) {
          errors.add(
              FieldErrors.at(at, k),
              "a permission is a non-blank name (letters, digits and . _ : -) or *");
        } else if (!permissions.add(p.asText())) {
          errors.add(FieldErrors.at(at, k), "permission " + p.asText() + " appears twice");
        }
      }
      if (errors.count() == before) {
        keyed.put(entry.getKey(), array(permissions));
      }
    }
    errors.throwIfAny();
    return keyed;
  }

  private static ArrayNode array(Iterable<String> permissions) {
    ArrayNode array = NODES.arrayNode();
    permissions.forEach(array::add);
    return array;
  }

  @Override
  public Uni<SortedMap<String, JsonNode>> current(SqlClient db, String workspace) {
    return roles(db)
        .map(
            roles -> {
              SortedMap<String, JsonNode> keyed = new TreeMap<>();
              roles.forEach((name, perms) -> keyed.put(name, array(new TreeSet<>(perms))));
              return keyed;
            });
  }

  /** Removing a role would cascade to its assignments: refuse while any uses it. */
  @Override
  public Uni<Void> check(
      SqlClient tx,
      String workspace,
      Map<String, JsonNode> current,
      Map<String, JsonNode> desired) {
    String[] removed = removed(current, desired);
    if (removed.length == 0) {
      return Uni.createFrom().voidItem();
    }
    return tx.preparedQuery(
            "SELECT role, count(*) FROM assignments WHERE role = ANY($1) GROUP BY role ORDER BY role")
        .execute(Tuple.of(removed))
        .invoke(
            rows -> {
              List<String> used = new ArrayList<>();
              for (Row row : rows) {
                long n = row.getLong(1);
                used.add(
                    "role "
                        + row.getString(0)
                        + " is used by "
                        + n
                        + " assignment"
                        + (n == 1 ? "" : "s"));
              }
              if (!used.isEmpty()) {
                throw ProblemException.conflict(
                    String.join("; ", used) + ": remove those assignments before the role");
              }
            })
        .replaceWithVoid();
  }

  /** Every permission a role gains (a new role: all of them) must be the caller's own at /. */
  @Override
  public void authorize(
      Grants grants,
      JsonNode body,
      String workspace,
      Map<String, JsonNode> current,
      Map<String, JsonNode> desired,
      Map<String, Set<String>> roles) {
    FieldErrors errors = new FieldErrors();
    desired.forEach(
        (role, perms) -> {
          Set<String> had = new TreeSet<>();
          JsonNode before = current.get(role);
          if (before != null) {
            before.forEach(p -> had.add(p.asText()));
          }
          JsonNode list = body.get(role);
          for (int k = 0; k < list.size(); k++) {
            String permission = list.get(k).asText();
            if (!had.contains(permission) && !grants.holds(permission, "/")) {
              errors.add(
                  FieldErrors.at(FieldErrors.at("", role), k),
                  grants.caller().subject()
                      + " may not add "
                      + permission
                      + " to role "
                      + role
                      + ": lacks "
                      + permission
                      + " at /");
            }
          }
        });
    errors.throwForbiddenIfAny();
  }

  @Override
  public Uni<Void> write(
      SqlConnection tx,
      String workspace,
      Map<String, JsonNode> current,
      Map<String, JsonNode> desired) {
    List<String> changed = new ArrayList<>();
    desired.forEach(
        (name, perms) -> {
          if (!perms.equals(current.get(name))) {
            changed.add(name);
          }
        });
    List<Tuple> permissions = new ArrayList<>();
    for (String role : changed) {
      desired.get(role).forEach(p -> permissions.add(Tuple.of(role, p.asText())));
    }
    String[] changedRoles = changed.toArray(new String[0]);
    Uni<Void> chain =
        tx.preparedQuery("DELETE FROM roles WHERE name = ANY($1)")
            .execute(Tuple.of((Object) removed(current, desired)))
            .chain(
                () ->
                    tx.preparedQuery(
                            """
                            INSERT INTO roles (name, owner) SELECT unnest($1::text[]), 'section'
                            ON CONFLICT (name) DO UPDATE SET owner = 'section'
                            """)
                        .execute(Tuple.of((Object) changedRoles)))
            .chain(
                () ->
                    tx.preparedQuery("DELETE FROM role_permissions WHERE role = ANY($1)")
                        .execute(Tuple.of((Object) changedRoles)))
            .replaceWithVoid();
    if (permissions.isEmpty()) {
      return chain;
    }
    return chain.chain(
        () ->
            tx.preparedQuery("INSERT INTO role_permissions (role, permission) VALUES ($1, $2)")
                .executeBatch(permissions)
                .replaceWithVoid());
  }

  private static String[] removed(Map<String, JsonNode> current, Map<String, JsonNode> desired) {
    return current.keySet().stream().filter(r -> !desired.containsKey(r)).toArray(String[]::new);
  }
}
