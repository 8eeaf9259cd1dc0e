package dev.conductor.broker.policy;

import dev.conductor.broker.config.BrokerConfig;
import dev.conductor.broker.issuer.Client;
import dev.conductor.broker.issuer.ClientSecrets;
import dev.conductor.events.Envelope;
import dev.conductor.events.EventType;
import dev.conductor.events.Topics;
import dev.conductor.events.data.ConfigChanged;
import dev.conductor.platform.db.Transactions;
import dev.conductor.platform.outbox.Outbox;
import dev.conductor.platform.trace.TraceContext;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Loads the policy seed into the database at start (roles, permissions, assignments, hashed client
 * secrets, policy version) and then reads the policy in force into the {@link PolicyStore}. A seed
 * whose digest is already stored is not loaded again, so restarts and further instances are cheap;
 * a changed seed replaces the previous policy in one transaction and emits {@code config.changed}.
 * Runs before the Kafka consumers start, so no decision is made without a policy.
 */
@ApplicationScoped
public class SeedLoader {
  private static final Logger LOG = Logger.getLogger(SeedLoader.class);
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String SOURCE = Envelope.sourceOf("identity-broker");

  private final BrokerConfig config;
  private final Transactions transactions;
  private final Outbox outbox;
  private final PolicyStore store;
  private final Clock clock;

  public SeedLoader(
      BrokerConfig config,
      Transactions transactions,
      Outbox outbox,
      PolicyStore store,
      Clock clock) {
    this.config = config;
    this.transactions = transactions;
    this.outbox = outbox;
    this.store = store;
    this.clock = clock;
  }

  void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
    load(config.seedFile());
  }

  /** Loads the seed at {@code location} if it changed, then refreshes the policy in force. */
  public void load(String location) {
    byte[] bytes = read(location);
    Seed seed = Seed.parse(bytes);
    String digest = sha256(bytes);
    String stored =
        transactions
            .pool()
            .query("SELECT seed_digest FROM policy WHERE id = 1")
            .execute()
            .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0))
            .await()
            .atMost(WAIT);
    if (!digest.equals(stored)) {
      // Hash here, on the calling thread: PBKDF2 must not run inside the reactive chain.
      Map<String, String> hashes = new HashMap<>();
      for (Seed.SeedClient c : seed.clientsOrEmpty()) {
        hashes.put(c.id(), ClientSecrets.hash(c.secret()));
      }
      transactions.run(tx -> replace(tx, seed, digest, hashes, location)).await().atMost(WAIT);
    }
    PolicyStore.Snapshot snapshot = read(transactions.pool()).await().atMost(WAIT);
    store.replace(snapshot);
    LOG.infof(
        "policy %s in force: %d roles, %d assignments, %d clients",
        snapshot.policy().version(),
        snapshot.policy().roles().size(),
        snapshot.policy().assignments().size(),
        snapshot.clients().size());
  }

  private Uni<Void> replace(
      SqlConnection tx, Seed seed, String digest, Map<String, String> hashes, String location) {
    return tx.query("SELECT pg_advisory_xact_lock(hashtext('broker.policy'))")
        .execute()
        .chain(
            () -> tx.query("SELECT policy_version, seed_digest FROM policy WHERE id = 1").execute())
        .chain(
            rows -> {
              Row current = rows.size() == 0 ? null : rows.iterator().next();
              if (current != null && digest.equals(current.getString("seed_digest"))) {
                return Uni.createFrom().voidItem(); // another instance loaded it meanwhile
              }
              String oldVersion = current == null ? null : current.getString("policy_version");
              return tx.query("DELETE FROM assignments")
                  .execute()
                  .chain(() -> tx.query("DELETE FROM role_permissions").execute())
                  .chain(() -> tx.query("DELETE FROM roles").execute())
                  .chain(() -> tx.query("DELETE FROM clients").execute())
                  .chain(() -> batch(tx, "INSERT INTO roles (name) VALUES ($1)", roleRows(seed)))
                  .chain(
                      () ->
                          batch(
                              tx,
                              "INSERT INTO role_permissions (role, permission) VALUES ($1, $2)",
                              permissionRows(seed)))
                  .chain(
                      () ->
                          batch(
                              tx,
                              "INSERT INTO assignments (principal, group_name, role, scope)"
                                  + " VALUES ($1, $2, $3, $4)",
                              assignmentRows(seed)))
                  .chain(
                      () ->
                          batch(
                              tx,
                              "INSERT INTO clients (id, secret_hash, groups) VALUES ($1, $2, $3)",
                              clientRows(seed, hashes)))
                  .chain(
                      () ->
                          tx.preparedQuery(
                                  "INSERT INTO policy (id, policy_version, seed_digest, loaded_at)"
                                      + " VALUES (1, $1, $2, now()) ON CONFLICT (id) DO UPDATE SET"
                                      + " policy_version = $1, seed_digest = $2, loaded_at = now()")
                              .execute(Tuple.of(seed.policyVersion(), digest)))
                  .chain(
                      () ->
                          outbox.append(
                              tx,
                              Envelope.of(
                                  EventType.CONFIG_CHANGED,
                                  SOURCE,
                                  "policy",
                                  new ConfigChanged(
                                      null,
                                      "policy",
                                      "seed " + location,
                                      oldVersion,
                                      seed.policyVersion()),
                                  clock),
                              Topics.CHANGES,
                              TraceContext.newTrace()))
                  .invoke(
                      () ->
                          LOG.infof(
                              "loaded policy seed %s (version %s)",
                              location, seed.policyVersion()));
            });
  }

  /** Reads the policy and clients in force. */
  static Uni<PolicyStore.Snapshot> read(SqlClient db) {
    Uni<String> version =
        db.query("SELECT policy_version FROM policy WHERE id = 1")
            .execute()
            .map(rows -> rows.size() == 0 ? "none" : rows.iterator().next().getString(0));
    Uni<Map<String, Set<String>>> roles =
        db.query(
                "SELECT r.name, p.permission FROM roles r"
                    + " LEFT JOIN role_permissions p ON p.role = r.name ORDER BY r.name")
            .execute()
            .map(
                rows -> {
                  Map<String, Set<String>> map = new LinkedHashMap<>();
                  for (Row row : rows) {
                    Set<String> perms =
                        map.computeIfAbsent(row.getString(0), k -> new LinkedHashSet<>());
                    if (row.getString(1) != null) {
                      perms.add(row.getString(1));
                    }
                  }
                  return map;
                });
    Uni<List<Assignment>> assignments =
        db.query("SELECT principal, group_name, role, scope FROM assignments ORDER BY id")
            .execute()
            .map(
                rows -> {
                  List<Assignment> list = new ArrayList<>();
                  for (Row row : rows) {
                    list.add(
                        new Assignment(
                            row.getString(0),
                            row.getString(1),
                            row.getString(2),
                            Scope.parse(row.getString(3))));
                  }
                  return list;
                });
    Uni<Map<String, Client>> clients =
        db.query("SELECT id, secret_hash, groups FROM clients")
            .execute()
            .map(
                rows -> {
                  Map<String, Client> map = new HashMap<>();
                  for (Row row : rows) {
                    String[] groups = row.getArrayOfStrings(2);
                    map.put(
                        row.getString(0),
                        new Client(
                            row.getString(0),
                            row.getString(1),
                            groups == null ? List.of() : List.of(groups)));
                  }
                  return map;
                });
    return Uni.combine()
        .all()
        .unis(version, roles, assignments, clients)
        .asTuple()
        .map(
            t ->
                new PolicyStore.Snapshot(
                    new Policy(t.getItem1(), t.getItem2(), t.getItem3()), t.getItem4()));
  }

  private static List<Tuple> roleRows(Seed seed) {
    return seed.roles().keySet().stream().map(Tuple::of).toList();
  }

  private static List<Tuple> permissionRows(Seed seed) {
    List<Tuple> rows = new ArrayList<>();
    seed.roles()
        .forEach(
            (role, perms) -> new LinkedHashSet<>(perms).forEach(p -> rows.add(Tuple.of(role, p))));
    return rows;
  }

  private static List<Tuple> assignmentRows(Seed seed) {
    return seed.assignmentsOrEmpty().stream()
        .map(a -> Tuple.of(a.principal(), a.group(), a.role(), Scope.parse(a.scope()).toString()))
        .toList();
  }

  private static List<Tuple> clientRows(Seed seed, Map<String, String> hashes) {
    return seed.clientsOrEmpty().stream()
        .map(c -> Tuple.of(c.id(), hashes.get(c.id()), c.groupsOrEmpty().toArray(new String[0])))
        .toList();
  }

  private static Uni<Void> batch(SqlConnection tx, String sql, List<Tuple> rows) {
    if (rows.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return tx.preparedQuery(sql).executeBatch(rows).replaceWithVoid();
  }

  static byte[] read(String location) {
    if (location.startsWith("classpath:")) {
      String resource = location.substring("classpath:".length()).replaceFirst("^/", "");
      try (InputStream in =
          Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("policy seed " + location + " is not on the class path");
        }
        return in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read policy seed " + location, e);
      }
    }
    try {
      return Files.readAllBytes(Path.of(location));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read policy seed " + location, e);
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
