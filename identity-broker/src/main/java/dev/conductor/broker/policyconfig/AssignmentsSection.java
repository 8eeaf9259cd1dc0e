package dev.conductor.broker.policyconfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conductor.broker.policy.Assignment;
import dev.conductor.broker.policy.Owner;
import dev.conductor.broker.policy.Policy;
import dev.conductor.broker.policy.Scope;
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
 * seed's assignments stay in force beside them and are neither shown nor replaced here.
 */
@ApplicationScoped
public class AssignmentsSection implements ConfigSection {
  private static final List<String> FIELDS = List.of("principal", "group", "role", "scope");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  @Override
  public String name() {
    return "assignments";
  }

  @Override
  public boolean global() {
    return false;
  }

  @Override
  public SortedMap<String, JsonNode> parse(JsonNode body, String workspace, Policy inForce) {
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
      } else if (role != null && !inForce.roles().containsKey(role)) {
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
  public JsonNode document(SortedMap<String, JsonNode> section) {
    ArrayNode array = NODES.arrayNode();
    section.values().forEach(array::add);
    return array;
  }

  /** A role removed meanwhile (by another instance) must not surface as a foreign-key error. */
  @Override
  public Uni<Void> check(
      SqlConnection tx,
      String workspace,
      Map<String, JsonNode> current,
      Map<String, JsonNode> desired) {
    Set<String> roles = new TreeSet<>();
    desired.values().forEach(n -> roles.add(n.path("role").asText()));
    return tx.preparedQuery("SELECT name FROM roles WHERE name = ANY($1)")
        .execute(Tuple.of(roles.toArray(new String[0])))
        .invoke(
            rows -> {
              for (Row row : rows) {
                roles.remove(row.getString(0));
              }
              if (!roles.isEmpty()) {
                throw ProblemException.conflict(
                    "roles no longer exist: " + String.join(", ", roles));
              }
            })
        .replaceWithVoid();
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
                    "INSERT INTO assignments (principal, group_name, role, scope, owner)"
                        + " VALUES ($1, $2, $3, $4, $5)")
                .executeBatch(rows)
                .replaceWithVoid());
  }
}
