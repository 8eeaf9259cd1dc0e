package dev.conductor.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.conductor.deploy.local.Seed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A workspace document (YAML or JSON, DESIGN §7): {@code workspace}, and sections owned by the
 * service that enforces them. What {@code up} reads: {@code pools} (one executor each, with its
 * slots), {@code resourceClasses} (the scheduler's slot costs), {@code principals} (one client each
 * in the broker's seed, with a role at a scope) and {@code identities} (run-as identities and who
 * may use them). {@code pipelines} go to trigger-service.
 */
record WorkspaceDocument(Path file, ObjectNode doc) {
  static final Set<String> KNOWN =
      Set.of("workspace", "pools", "resourceClasses", "principals", "identities", "pipelines");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static WorkspaceDocument read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no workspace document at " + file);
    }
    try {
      JsonNode doc = YAML.readTree(file.toFile());
      if (!(doc instanceof ObjectNode object) || !doc.path("workspace").isTextual()) {
        throw new IllegalArgumentException(file + ": expected a mapping with `workspace: <name>`");
      }
      return new WorkspaceDocument(file, object);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + " does not parse: " + e.getMessage(), e);
    }
  }

  String workspace() {
    return doc.path("workspace").asText();
  }

  /** Pools in document order (default: dev, test, prod). */
  List<String> pools() {
    List<String> pools = new ArrayList<>();
    doc.path("pools").fieldNames().forEachRemaining(pools::add);
    return pools.isEmpty() ? List.of("dev", "test", "prod") : pools;
  }

  Map<String, Integer> slots() {
    Map<String, Integer> slots = new LinkedHashMap<>();
    doc.path("pools")
        .fields()
        .forEachRemaining(
            e -> {
              if (e.getValue().has("slots")) {
                slots.put(e.getKey(), e.getValue().path("slots").asInt());
              }
            });
    return slots;
  }

  /** {@code smallrc:1,mediumrc:2,...} for the scheduler, or null for its default. */
  String resourceClasses() {
    List<String> classes = new ArrayList<>();
    doc.path("resourceClasses")
        .fields()
        .forEachRemaining(e -> classes.add(e.getKey() + ":" + e.getValue().asInt()));
    return classes.isEmpty() ? null : String.join(",", classes);
  }

  /** The broker seed's principals and assignments. */
  Seed.Spec seed() {
    String ws = "/workspaces/" + workspace();
    List<String> principals = new ArrayList<>();
    List<Seed.Assignment> assignments = new ArrayList<>();
    doc.path("principals")
        .fields()
        .forEachRemaining(
            e -> {
              principals.add(e.getKey());
              JsonNode p = e.getValue();
              List<JsonNode> roles = new ArrayList<>();
              if (p.has("roles")) {
                p.path("roles").forEach(roles::add);
              } else {
                roles.add(p);
              }
              for (JsonNode r : roles) {
                String role = r.path("role").asText(null);
                if (role == null) {
                  throw new IllegalArgumentException("principal " + e.getKey() + " has no role");
                }
                assignments.add(new Seed.Assignment(e.getKey(), role, r.path("scope").asText(ws)));
              }
            });
    doc.path("identities")
        .fields()
        .forEachRemaining(
            e ->
                e.getValue()
                    .path("users")
                    .forEach(
                        user ->
                            assignments.add(
                                new Seed.Assignment(
                                    user.asText(),
                                    "identity-user",
                                    ws + "/identities/" + e.getKey()))));
    if (principals.isEmpty()) {
      return Seed.Spec.demo();
    }
    return new Seed.Spec(principals, assignments);
  }

  Map<String, JsonNode> pipelines() {
    Map<String, JsonNode> pipelines = new LinkedHashMap<>();
    doc.path("pipelines").fields().forEachRemaining(e -> pipelines.put(e.getKey(), e.getValue()));
    return pipelines;
  }
}
