package dev.conductor.broker.policyconfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conductor.broker.policy.Owner;
import dev.conductor.broker.policy.Scope;
import dev.conductor.platform.config.SectionScope;
import dev.conductor.platform.problem.FieldErrors;
import dev.conductor.platform.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Workspace section {@code identities}: {@code {name: {description?, environments: [..], tags?: {k:
 * v}}}}, the run-as identities a job of the workspace may use, each only in its environments
 * (pools). Names and environments are scope segments. The section owns only its own rows; a
 * definition here overrides the seed's definition of the same name.
 */
@ApplicationScoped
public class IdentitiesSection extends PolicySection {
  private static final List<String> FIELDS = List.of("description", "environments", "tags");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  @Override
  public String name() {
    return "identities";
  }

  @Override
  public SectionScope scope() {
    return SectionScope.WORKSPACE;
  }

  @Override
  public SortedMap<String, JsonNode> parse(
      JsonNode body, String workspace, Map<String, Set<String>> roles) {
    if (body == null || !body.isObject()) {
      throw ProblemException.badRequest(
          "/",
          "the identities section is a JSON object {name: {description?, environments, tags?}}");
    }
    FieldErrors errors = new FieldErrors();
    SortedMap<String, JsonNode> keyed = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String at = FieldErrors.at("", entry.getKey());
      int before = errors.count();
      try {
        Scope.of(entry.getKey());
      } catch (IllegalArgumentException e) {
        errors.add(at, e.getMessage());
      }
      JsonNode item = entry.getValue();
      if (!item.isObject()) {
        errors.add(at, "an identity is an object {description?, environments, tags?}");
        continue;
      }
      errors.unknownFields(item, at, FIELDS);
      String description = description(item, at, errors);
      ArrayNode environments = environments(item, at, errors);
      ObjectNode tags = tags(item, at, errors);
      if (errors.count() == before) {
        keyed.put(entry.getKey(), node(description, environments, tags));
      }
    }
    errors.throwIfAny();
    return keyed;
  }

  private static String description(JsonNode item, String at, FieldErrors errors) {
    JsonNode value = item.get("description");
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      errors.add(FieldErrors.at(at, "description"), "description must be a string");
      return null;
    }
    return value.asText();
  }

  /** The environments, sorted: their order means nothing. */
  private static ArrayNode environments(JsonNode item, String at, FieldErrors errors) {
    String field = FieldErrors.at(at, "environments");
    JsonNode value = item.get("environments");
    if (value == null || !value.isArray() || value.isEmpty()) {
      errors.add(field, "environments is a required, non-empty array of environment names");
      return null;
    }
    TreeSet<String> names = new TreeSet<>();
    for (int k = 0; k < value.size(); k++) {
      JsonNode env = value.get(k);
      String envAt = FieldErrors.at(field, k);
      if (!env.isTextual()) {
        errors.add(envAt, "an environment is a string");
        continue;
      }
      try {
        Scope.of(env.asText());
      } catch (IllegalArgumentException e) {
        errors.add(envAt, e.getMessage());
        continue;
      }
      if (!names.add(env.asText())) {
        errors.add(envAt, "environment " + env.asText() + " appears twice");
      }
    }
    ArrayNode sorted = NODES.arrayNode();
    names.forEach(sorted::add);
    return sorted;
  }

  /** The tags, keys sorted; absent means none. */
  private static ObjectNode tags(JsonNode item, String at, FieldErrors errors) {
    String field = FieldErrors.at(at, "tags");
    JsonNode value = item.get("tags");
    ObjectNode tags = NODES.objectNode();
    if (value == null || value.isNull()) {
      return tags;
    }
    if (!value.isObject()) {
      errors.add(field, "tags is an object of strings");
      return tags;
    }
    TreeMap<String, String> sorted = new TreeMap<>();
    value
        .fields()
        .forEachRemaining(
            e -> {
              if (e.getKey().isBlank() || !e.getValue().isTextual()) {
                errors.add(
                    FieldErrors.at(field, e.getKey()), "a tag has a non-blank name and a string");
              } else {
                sorted.put(e.getKey(), e.getValue().asText());
              }
            });
    sorted.forEach(tags::put);
    return tags;
  }

  private static ObjectNode node(String description, ArrayNode environments, ObjectNode tags) {
    ObjectNode node = NODES.objectNode();
    if (description != null) {
      node.put("description", description);
    }
    node.set("environments", environments);
    node.set("tags", tags);
    return node;
  }

  @Override
  public Uni<SortedMap<String, JsonNode>> current(SqlClient db, String workspace) {
    return db.preparedQuery(
            """
            SELECT name, description, environments, tags FROM identities
            WHERE workspace = $1 AND owner = $2
            """)
        .execute(Tuple.of(workspace, Owner.workspace(workspace)))
        .map(
            rows -> {
              SortedMap<String, JsonNode> keyed = new TreeMap<>();
              for (Row row : rows) {
                ArrayNode environments = NODES.arrayNode();
                new TreeSet<>(Arrays.asList(row.getArrayOfStrings(2))).forEach(environments::add);
                ObjectNode tags = NODES.objectNode();
                JsonObject stored = row.getJsonObject(3);
                if (stored != null) {
                  new TreeMap<>(stored.getMap()).forEach((k, v) -> tags.put(k, String.valueOf(v)));
                }
                keyed.put(row.getString(0), node(row.getString(1), environments, tags));
              }
              return keyed;
            });
  }

  @Override
  public JsonNode document(Map<String, JsonNode> section) {
    ObjectNode doc = NODES.objectNode();
    section.forEach(doc::set);
    return doc;
  }

  @Override
  public Uni<Void> write(
      SqlConnection tx,
      String workspace,
      Map<String, JsonNode> current,
      Map<String, JsonNode> desired) {
    String owner = Owner.workspace(workspace);
    List<Tuple> rows = new ArrayList<>();
    desired.forEach(
        (name, n) -> {
          List<String> environments = new ArrayList<>();
          n.get("environments").forEach(e -> environments.add(e.asText()));
          Map<String, Object> tags = new LinkedHashMap<>();
          n.get("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
          rows.add(
              Tuple.from(
                  Arrays.asList(
                      workspace,
                      name,
                      n.hasNonNull("description") ? n.get("description").asText() : null,
                      environments.toArray(new String[0]),
                      new JsonObject(tags),
                      owner)));
        });
    Uni<Void> deleted =
        tx.preparedQuery("DELETE FROM identities WHERE owner = $1")
            .execute(Tuple.of(owner))
            .replaceWithVoid();
    if (rows.isEmpty()) {
      return deleted;
    }
    return deleted.chain(
        () ->
            tx.preparedQuery(
                    """
                    INSERT INTO identities
                    (workspace, name, description, environments, tags, owner)
                    VALUES ($1, $2, $3, $4, $5, $6)
                    """)
                .executeBatch(rows)
                .replaceWithVoid());
  }
}
