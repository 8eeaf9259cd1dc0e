package dev.conductor.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.conductor.deploy.local.LocalStack;
import dev.conductor.deploy.local.Seed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A workspace document (YAML or JSON, DESIGN §7): {@code workspace}, and sections owned by the
 * service that enforces them ({@link #SECTIONS}). Two parts are for the local stack only: {@code
 * principals} (clients of the local issuer, with global roles, written into the broker's seed at
 * {@code up}) and the {@code slots} of each pool (what its one local executor declares).
 */
record WorkspaceDocument(Path file, ObjectNode doc) {
  /** A section, the service that owns it, and whether it is global or per workspace. */
  record Section(String name, String service, boolean global) {
    /** Where the owner accepts it: {@code PUT <this>[?dryRun=true]}. */
    String path(String workspace) {
      return global
          ? "/api/v1/config/" + name
          : "/api/v1/workspaces/" + workspace + "/config/" + name;
    }
  }

  /** Every section of DESIGN §7, in the order they are applied (what others refer to first). */
  static final List<Section> SECTIONS =
      List.of(
          new Section("roles", LocalStack.BROKER, true),
          new Section("pools", LocalStack.SCHEDULER, true),
          new Section("resourceClasses", LocalStack.SCHEDULER, true),
          new Section("identities", LocalStack.BROKER, false),
          new Section("resources", LocalStack.BROKER, false),
          new Section("assignments", LocalStack.BROKER, false),
          new Section("grants", LocalStack.BROKER, false),
          new Section("quotas", LocalStack.SCHEDULER, false),
          new Section("windows", LocalStack.SCHEDULER, false),
          new Section("pipelines", LocalStack.TRIGGER, false),
          new Section("triggers", LocalStack.TRIGGER, false));

  /** What only the local stack reads, at {@code up}. */
  static final Set<String> LOCAL = Set.of("workspace", "principals");

  /** The demo principals when a document names none. */
  private static final List<String> DEMO_PRINCIPALS =
      List.of(Seed.ADMIN, Seed.ALICE, Seed.BOB, Seed.CAROL, Seed.AUDITOR);

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

  static Optional<Section> section(String name) {
    return SECTIONS.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /** Top-level keys that are neither a section nor local-stack settings. */
  List<String> unknownKeys() {
    List<String> unknown = new ArrayList<>();
    doc.fieldNames()
        .forEachRemaining(
            name -> {
              if (!LOCAL.contains(name) && section(name).isEmpty()) {
                unknown.add(name);
              }
            });
    return unknown;
  }

  /** The document of a section as its owner accepts it, or null when the document has none. */
  JsonNode body(Section section) {
    JsonNode body = doc.get(section.name());
    if (body == null || !section.name().equals("pools") || !body.isObject()) {
      return body;
    }
    ObjectNode pools = body.deepCopy();
    pools.fields().forEachRemaining(e -> ((ObjectNode) e.getValue()).remove("slots"));
    return pools;
  }

  /** Pools in document order (default: dev, test, prod). */
  List<String> pools() {
    List<String> pools = new ArrayList<>();
    doc.path("pools").fieldNames().forEachRemaining(pools::add);
    return pools.isEmpty() ? List.of("dev", "test", "prod") : pools;
  }

  /** The slots each pool's local executor declares. */
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

  /**
   * {@code smallrc:1,mediumrc:2,...}: the scheduler's initial resource classes (the section is
   * applied after start too), or null for its default.
   */
  String resourceClasses() {
    List<String> classes = new ArrayList<>();
    doc.path("resourceClasses")
        .fields()
        .forEachRemaining(e -> classes.add(e.getKey() + ":" + e.getValue().asInt()));
    return classes.isEmpty() ? null : String.join(",", classes);
  }

  /**
   * The broker seed of a local stack: one client per principal and the global roles given with them
   * ({@code role}, {@code scope} default {@code /}). Workspace assignments and identities are not
   * seeded: {@code up} applies them through the broker's config API like any other section.
   */
  Seed.Spec seed() {
    List<String> principals = new ArrayList<>();
    List<Seed.Assignment> assignments = new ArrayList<>();
    doc.path("principals")
        .fields()
        .forEachRemaining(
            e -> {
              principals.add(e.getKey());
              String role = e.getValue().path("role").asText(null);
              if (role != null) {
                assignments.add(
                    new Seed.Assignment(e.getKey(), role, e.getValue().path("scope").asText("/")));
              }
            });
    if (principals.isEmpty()) {
      return new Seed.Spec(
          DEMO_PRINCIPALS,
          List.of(
              new Seed.Assignment(Seed.ADMIN, "admin", "/"),
              new Seed.Assignment(Seed.AUDITOR, "auditor", "/")),
          List.of());
    }
    return new Seed.Spec(principals, assignments, List.of());
  }

  Map<String, JsonNode> pipelines() {
    Map<String, JsonNode> pipelines = new LinkedHashMap<>();
    doc.path("pipelines").fields().forEachRemaining(e -> pipelines.put(e.getKey(), e.getValue()));
    return pipelines;
  }
}
