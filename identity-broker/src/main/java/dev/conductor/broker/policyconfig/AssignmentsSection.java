package dev.conductor.broker.policyconfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conductor.broker.policy.Assignment;
import dev.conductor.broker.policy.Owner;
import dev.conductor.broker.policy.Scope;
import dev.conductor.platform.config.SectionScope;
import dev.conductor.platform.problem.FieldErrors;
import dev.conductor.platform.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Workspace section {@code assignments}: {@code [{principal | group, role, scope?}]}, scope
 * defaulting to {@code /workspaces/{ws}} and never above it. Items are keyed by {@link
 * Assignment#describe()}. The section owns only its own rows ({@code owner = workspace:<ws>}); the
 * seed's assignments stay in force beside them and are neither shown nor replaced here. Roles are
 * checked against the database under the PUT's lock; an added assignment may grant only what the
 * caller holds at its scope ({@link #authorize}).
 */
@ApplicationScoped
public class AssignmentsSection extends PolicySection {
  private static final List<String> FIELDS = List.of("principal", "group", "role", "scope");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  @Override
  public String name() {
    return "assignments";
  }

  @Override
  public SectionScope scope() {
    return SectionScope.WORKSPACE;
  }

  @Override
  public SortedMap<String, JsonNode> parse(
      JsonNode body, String workspace, Map<String, Set<String>> roles) {
    if (body == null || !body.isArray()) {
      throw ProblemException.badRequest(
          "/", "the assignments section is a JSON array of {principal | group, role, scope?}");
    }
    Scope top = Scope.of("workspaces", workspace);
    FieldErrors errors = new FieldErrors();
    SortedMap<String, JsonNode> keyed = new TreeMap<>();
    Map<String, Integer> firstIndex = new HashMap<>();
    for (int i = 0; i < body.size(); i++) {
      String at = "/" + i;
      JsonNode item = body.get(i);
      if (!item.isObject()) {
        errors.add(at, "an assignment is an object {principal | group, role, scope?}");
        continue;
      }
      int before = errors.count();
      errors.unknownFields(item, at, FIELDS);
      String principal = errors.optionalText(item, "principal", at);
      String group = errors.optionalText(item, "group", at);
      if (errors.count() == before && (principal == null) == (group == null)) {
        errors.add(at, "give exactly one of principal or group");
      }
      String role = errors.optionalText(item, "role", at);
      if (role == null && !item.hasNonNull("role")) {
        errors.add(FieldErrors.at(at, "role"), "role is required");
      } else if (role != null && !roles.containsKey(role)) {
        errors.add(FieldErrors.at(at, "role"), "role " + role + " does not exist");
      }
      Scope scope = scope(item, at, top, errors);
      if (errors.count() > before) {
        continue;
      }
      Assignment a = new Assignment(principal, group, role, scope);
      Integer first = firstIndex.putIfAbsent(a.describe(), i);
      if (first != null) {
        errors.add(at, "duplicates /" + first);
        continue;
      }
      keyed.put(a.describe(), node(a));
    }
    errors.throwIfAny();
    return keyed;
  }

  private static Scope scope(JsonNode item, String at, Scope top, FieldErrors errors) {
    JsonNode value = item.get("scope");
    if (value == null || value.isNull()) {
      return top;
    }
    String field = FieldErrors.at(at, "scope");
    if (!value.isTextual()) {
      errors.add(field, "scope must be a string");
      return null;
    }
    try {
      Scope scope = Scope.parse(value.asText());
      if (!top.covers(scope)) {
        errors.add(field, "scope must be " + top + " or below it");
        return null;
      }
      return scope;
    } catch (IllegalArgumentException e) {
      errors.add(field, e.getMessage());
      return null;
    }
  }

  private static ObjectNode node(Assignment a) {
    ObjectNode node = NODES.objectNode();
    if (a.principal() != null) {
      node.put("principal", a.principal());
    } else {
      node.put("group", a.group());
    }
    node.put("role", a.role());
    node.put("scope", a.scope().toString());
    return node;
  }

  @Override
  public Uni<SortedMap<String, JsonNode>> current(SqlClient db, String workspace) {
    return db.preparedQuery(
            "SELECT principal, group_name, role, scope FROM assignments WHERE owner = $1")
        .execute(Tuple.of(Owner.workspace(workspace)))
        .map(
            rows -> {
              SortedMap<String, JsonNode> keyed = new TreeMap<>();
              for (Row row : rows) {
                Assignment a =
                    new Assignment(
                        row.getString(0),
                        row.getString(1),
                        row.getString(2),
                        Scope.parse(row.getString(3)));
                keyed.put(a.describe(), node(a));
              }
              return keyed;
            });
  }

  @Override
  public JsonNode document(Map<String, JsonNode> section) {
    ArrayNode array = NODES.arrayNode();
    section.values().forEach(array::add);
    return array;
  }

  /**
   * Every assignment the PUT adds may grant only permissions the caller holds itself at that
   * assignment's scope (a {@code *} role only by a caller holding {@code *} there). Removing needs
   * no such check.
   */
  @Override
  public void authorize(
      Grants grants,
      JsonNode body,
      String workspace,
      Map<String, JsonNode> current,
      Map<String, JsonNode> desired,
      Map<String, Set<String>> roles) {
    Map<String, Integer> indices = indices(body, workspace);
    FieldErrors errors = new FieldErrors();
    desired.forEach(
        (key, node) -> {
          if (current.containsKey(key)) {
            return;
          }
          String role = node.get("role").asText();
          String scope = node.get("scope").asText();
          List<String> missing =
              new TreeSet<>(roles.getOrDefault(role, Set.of()))
                  .stream().filter(p -> !grants.holds(p, scope)).toList();
          if (!missing.isEmpty()) {
            errors.add(
                FieldErrors.at("/" + indices.get(key), "role"),
                grants.caller().subject()
                    + " may not grant role "
                    + role
                    + " at "
                    + scope
                    + ": lacks "
                    + String.join(", ", missing)
                    + " there");
          }
        });
    errors.throwForbiddenIfAny();
  }

  /** The index in {@code body} (a document {@link #parse} accepted) of each item key. */
  private static Map<String, Integer> indices(JsonNode body, String workspace) {
    Scope top = Scope.of("workspaces", workspace);
    Map<String, Integer> indices = new HashMap<>();
    for (int i = 0; i < body.size(); i++) {
      JsonNode item = body.get(i);
      JsonNode scope = item.get("scope");
      Assignment a =
          new Assignment(
              item.hasNonNull("principal") ? item.get("principal").asText() : null,
              item.hasNonNull("group") ? item.get("group").asText() : null,
              item.get("role").asText(),
              scope == null || scope.isNull() ? top : Scope.parse(scope.asText()));
      indices.putIfAbsent(a.describe(), i);
    }
    return indices;
  }

  @Override
  public Uni<Void> write(
      SqlConnection tx,
      String workspace,
      Map<String, JsonNode> current,
      Map<String, JsonNode> desired) {
    String owner = Owner.workspace(workspace);
    List<Tuple> rows =
        desired.values().stream()
            .map(
                n ->
                    Tuple.of(
                        n.hasNonNull("principal") ? n.get("principal").asText() : null,
                        n.hasNonNull("group") ? n.get("group").asText() : null,
                        n.get("role").asText(),
                        n.get("scope").asText(),
                        owner))
            .toList();
    Uni<Void> deleted =
        tx.preparedQuery("DELETE FROM assignments WHERE owner = $1")
            .execute(Tuple.of(owner))
            .replaceWithVoid();
    if (rows.isEmpty()) {
      return deleted;
    }
    return deleted.chain(
        () ->
            tx.preparedQuery(
                    """
                    INSERT INTO assignments (principal, group_name, role, scope, owner)
                    VALUES ($1, $2, $3, $4, $5)
                    """)
                .executeBatch(rows)
                .replaceWithVoid());
  }
}
