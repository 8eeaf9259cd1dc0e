package dev.conductor.deploy.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The identity broker's seed for a local stack: built-in roles, one client per service and pool
 * executor, demo principals and their assignments. Secrets are random per stack and written only to
 * the state folder (owner-readable), never to a log.
 */
public final class Seed {
  /** Demo principals: who they are and what they may do. */
  public static final String ADMIN = "admin";

  public static final String ALICE = "alice"; // developer in demo, may use the etl-bot identity
  public static final String BOB = "bob"; // operator in demo, may NOT use the etl-bot identity
  public static final String CAROL = "carol"; // viewer in demo: may not start runs
  public static final String AUDITOR = "auditor";

  public static final String WORKSPACE = "demo";
  public static final String SERVICES_GROUP = "conductor-services";
  public static final String RUN_AS = "etl-bot";

  private final Map<String, String> secrets = new LinkedHashMap<>();
  private final Path file;

  private Seed(Path file) {
    this.file = file;
  }

  /**
   * What the broker starts from: principal ids (each gets a client with a fresh secret), their role
   * assignments ({@code principal, role, scope}) and run-as identities. The seed is the bootstrap;
   * {@code ./conductor up} puts only global roles here and applies workspace sections through the
   * broker's config API, while tests that start a stack directly may seed workspace ones too.
   */
  public record Spec(
      List<String> principals, List<Assignment> assignments, List<Identity> identities) {
    public Spec {
      principals = List.copyOf(principals);
      assignments = List.copyOf(assignments);
      identities = List.copyOf(identities);
    }

    /** The built-in demo: admin, alice (developer, may use etl-bot), bob, carol, auditor. */
    public static Spec demo() {
      String ws = "/workspaces/" + WORKSPACE;
      return new Spec(
          List.of(ADMIN, ALICE, BOB, CAROL, AUDITOR),
          List.of(
              new Assignment(ADMIN, "admin", "/"),
              new Assignment(ALICE, "developer", ws),
              new Assignment(ALICE, "identity-user", ws + "/identities/" + RUN_AS),
              new Assignment(BOB, "operator", ws),
              new Assignment(CAROL, "viewer", ws),
              new Assignment(AUDITOR, "auditor", "/")),
          List.of(new Identity(WORKSPACE, RUN_AS, List.of("dev", "test", "prod"))));
    }
  }

  /** A run-as identity of a workspace and the environments it may be used in. */
  public record Identity(String workspace, String name, List<String> environments) {
    public Identity {
      environments = List.copyOf(environments);
    }
  }

  /** One role assignment of a principal at a scope. */
  public record Assignment(String principal, String role, String scope) {}

  /** Writes a seed with fresh secrets for the given services and pools (the demo principals). */
  public static Seed write(Path dir, List<String> services, List<String> pools) {
    return write(dir, services, pools, Spec.demo());
  }

  /**
   * Writes a seed with fresh secrets for the services, pools and the principals of {@code spec}.
   */
  public static Seed write(Path dir, List<String> services, List<String> pools, Spec spec) {
    Seed seed = new Seed(dir.resolve("broker-seed.json"));
    SecureRandom random = new SecureRandom();
    List<Map<String, Object>> clients = new ArrayList<>();
    List<Map<String, Object>> assignments = new ArrayList<>();
    List<String> ids = new ArrayList<>(services);
    pools.forEach(p -> ids.add("executor-" + p));
    ids.addAll(spec.principals());
    for (String id : ids) {
      byte[] bytes = new byte[24];
      random.nextBytes(bytes);
      String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
      seed.secrets.put(id, secret);
      List<String> groups = services.contains(id) ? List.of(SERVICES_GROUP) : List.of();
      clients.add(Map.of("id", id, "secret", secret, "groups", groups));
    }
    pools.forEach(p -> assignments.add(assign("executor-" + p, "executor", "/pools/" + p)));
    for (Assignment a : spec.assignments()) {
      assignments.add(assign(a.principal(), a.role(), a.scope()));
    }
    assignments.add(Map.of("group", SERVICES_GROUP, "role", "service", "scope", "/"));

    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("policyVersion", "local-1");
    doc.put("roles", roles());
    doc.put("clients", clients);
    doc.put("assignments", assignments);
    doc.put(
        "identities",
        spec.identities().stream()
            .map(
                i ->
                    Map.of(
                        "workspace", i.workspace(),
                        "name", i.name(),
                        "environments", i.environments()))
            .toList());
    try {
      Files.createDirectories(dir);
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .writeValue(seed.file.toFile(), doc);
      Files.setPosixFilePermissions(seed.file, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return seed;
  }

  /** Reads the secrets of a seed file that a running stack wrote (for the command line). */
  public static Seed read(Path file) {
    Seed seed = new Seed(file);
    try {
      var doc = new ObjectMapper().readTree(file.toFile());
      doc.path("clients")
          .forEach(c -> seed.secrets.put(c.path("id").asText(), c.path("secret").asText()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the seed " + file, e);
    }
    return seed;
  }

  /** The built-in roles and their permissions. */
  public static Map<String, List<String>> roles() {
    Map<String, List<String>> roles = new LinkedHashMap<>();
    roles.put("admin", List.of("*"));
    roles.put(
        "developer",
        List.of(
            "pipeline.read",
            "pipeline.write",
            "pipeline.run",
            "run.read",
            "run.cancel",
            "config.read"));
    roles.put("operator", List.of("pipeline.read", "pipeline.run", "run.read", "run.cancel"));
    roles.put("viewer", List.of("pipeline.read", "run.read"));
    roles.put("auditor", List.of("audit.read", "run.read", "config.read"));
    roles.put("identity-user", List.of("identity.use"));
    roles.put("executor", List.of("attempt.claim", "pool.register", "pool.read"));
    // Services may ask the broker about other principals.
    roles.put("service", List.of("policy.write", "pipeline.read", "run.read"));
    return roles;
  }

  private static Map<String, Object> assign(String principal, String role, String scope) {
    return Map.of("principal", principal, "role", role, "scope", scope);
  }

  public Path file() {
    return file;
  }

  public String secret(String clientId) {
    String secret = secrets.get(clientId);
    if (secret == null) {
      throw new IllegalArgumentException("no client " + clientId + " in the seed");
    }
    return secret;
  }
}
