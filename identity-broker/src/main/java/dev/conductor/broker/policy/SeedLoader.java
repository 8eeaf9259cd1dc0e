package dev.conductor.broker.policy;

import dev.conductor.broker.config.BrokerConfig;
import dev.conductor.broker.issuer.ClientSecrets;
import dev.conductor.events.Envelope;
import dev.conductor.events.EventType;
import dev.conductor.events.data.ConfigChanged;
import dev.conductor.platform.db.Transactions;
import dev.conductor.platform.db.outbox.Outbox;
import dev.conductor.platform.kafka.KafkaSettings;
import dev.conductor.platform.trace.TraceContext;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
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
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
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
 * a changed seed replaces the seed-owned rows (assignments, identities; clients), upserts the roles
 * it names (never deleting one: that is the roles section's job; setting the permissions only of
 * seed-owned roles, never of one created or last changed through the roles section) and bumps the
 * policy revision in one transaction, and emits {@code config.changed}. Runs before the Kafka
 * consumers start, so no decision is made without a policy.
 */
@ApplicationScoped
public class SeedLoader {
  private static final Logger LOG = Logger.getLogger(SeedLoader.class);
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String SOURCE = Envelope.sourceOf("identity-broker");

  private final BrokerConfig config;
  private final Transactions transactions;
  private final Outbox outbox;
  private final String changes;
  private final PolicyStore store;
  private final Clock clock;

  public SeedLoader(
      BrokerConfig config,
      Transactions transactions,
      Outbox outbox,
      PolicyStore store,
      KafkaSettings kafka,
      Clock clock) {
    this.changes = EventType.CONFIG_CHANGED.topic(kafka.principal());
    this.config = config;
    this.transactions = transactions;
    this.outbox = outbox;
    this.store = store;
    this.clock = clock;
  }

  void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
    load(
        config
            .seedFile()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "conductor.broker.seed-file (env CONDUCTOR_BROKER_SEED) is required: the"
                            + " policy seed with the principals and their client secrets. There is"
                            + " no built-in one; ./conductor up writes one for a local stack.")));
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
    PolicyStore.Snapshot snapshot = PolicyReader.read(transactions.pool()).await().atMost(WAIT);
    store.replace(snapshot);
    LOG.infof(
        "policy %s in force: %d roles, %d assignments, %d identities, %d clients",
        snapshot.policy().version(),
        snapshot.policy().roles().size(),
        snapshot.policy().assignments().size(),
        snapshot.policy().identities().size(),
        snapshot.clients().size());
  }

  private Uni<Void> replace(
      SqlConnection tx, Seed seed, String digest, Map<String, String> hashes, String location) {
    return tx.query(PolicyVersion.LOCK_SQL)
        .execute()
        .chain(
            () ->
                tx.query("SELECT policy_version, seed_digest, revision FROM policy WHERE id = 1")
                    .execute())
        .chain(
            rows -> {
              Row current = rows.size() == 0 ? null : rows.iterator().next();
              if (current != null && digest.equals(current.getString("seed_digest"))) {
                return Uni.createFrom().voidItem(); // another instance loaded it meanwhile
              }
              String oldVersion =
                  current == null
                      ? null
                      : PolicyVersion.of(
                          current.getString("policy_version"), current.getLong("revision"));
              // The first load is revision 0; every later one is a change like any other.
              long revision = current == null ? 0 : current.getLong("revision") + 1;
              String newVersion = PolicyVersion.of(seed.policyVersion(), revision);
              String[] seedRoles = seed.roles().keySet().toArray(new String[0]);
              // Only seed-owned rows are replaced; roles are upserted and never deleted here, so
              // nothing a config section wrote (nor what depends on it) is lost.
              return tx.query("DELETE FROM assignments WHERE owner = 'seed'")
                  .execute()
                  .chain(() -> tx.query("DELETE FROM identities WHERE owner = 'seed'").execute())
                  .chain(() -> tx.query("DELETE FROM clients").execute())
                  .chain(
                      () ->
                          batch(
                              tx,
                              """
                              INSERT INTO roles (name, owner) VALUES ($1, 'seed')
                              ON CONFLICT DO NOTHING
                              """,
                              roleRows(seed)))
                  // A role created or last changed through the roles section keeps its
                  // permissions: only the seed-owned roles the seed names are set to the seed's.
                  .chain(
                      () ->
                          tx.preparedQuery(
                                  """
                                  DELETE FROM role_permissions WHERE role IN
                                  (SELECT name FROM roles WHERE name = ANY($1)
                                  AND owner = 'seed')
                                  """)
                              .execute(Tuple.of(seedRoles)))
                  .chain(
                      () ->
                          tx.preparedQuery(
                                  "SELECT name FROM roles WHERE name = ANY($1) AND owner = 'seed'")
                              .execute(Tuple.of(seedRoles)))
                  .chain(
                      owned -> {
                        Set<String> seedOwned = new HashSet<>();
                        owned.forEach(row -> seedOwned.add(row.getString(0)));
                        return batch(
                            tx,
                            "INSERT INTO role_permissions (role, permission) VALUES ($1, $2)",
                            permissionRows(seed, seedOwned));
                      })
                  .chain(
                      () ->
                          batch(
                              tx,
                              """
                              INSERT INTO assignments (principal, group_name, role, scope, owner)
                              VALUES ($1, $2, $3, $4, 'seed')
                              """,
                              assignmentRows(seed)))
                  .chain(
                      () ->
                          batch(
                              tx,
                              """
                              INSERT INTO identities
                              (workspace, name, description, environments, tags, owner)
                              VALUES ($1, $2, $3, $4, $5, 'seed')
                              """,
                              identityRows(seed)))
                  .chain(
                      () ->
                          batch(
                              tx,
                              "INSERT INTO clients (id, secret_hash, groups) VALUES ($1, $2, $3)",
                              clientRows(seed, hashes)))
                  .chain(
                      () ->
                          tx.preparedQuery(
                                  """
                                  INSERT INTO policy
                                  (id, policy_version, seed_digest, loaded_at, revision)
                                  VALUES (1, $1, $2, now(), $3) ON CONFLICT (id) DO UPDATE
                                  SET policy_version = $1, seed_digest = $2,
                                  loaded_at = now(), revision = $3
                                  """)
                              .execute(Tuple.of(seed.policyVersion(), digest, revision)))
                  .chain(
                      () ->
                          outbox.append(
                              tx,
                              Envelope.of(
                                  EventType.CONFIG_CHANGED,
                                  SOURCE,
                                  "policy",
                                  new ConfigChanged(
                                      null, "policy", "seed " + location, oldVersion, newVersion),
                                  clock),
                              changes,
                              TraceContext.newTrace()))
                  .invoke(
                      () -> LOG.infof("loaded policy seed %s (version %s)", location, newVersion));
            });
  }

  private static List<Tuple> identityRows(Seed seed) {
    return seed.runAsIdentities().stream()
        .map(
            i ->
                Tuple.from(
                    Arrays.asList(
                        i.workspace(),
                        i.name(),
                        i.description(),
                        i.environments().toArray(new String[0]),
                        new JsonObject(new LinkedHashMap<String, Object>(i.tags())))))
        .toList();
  }

  private static List<Tuple> roleRows(Seed seed) {
    return seed.roles().keySet().stream().map(Tuple::of).toList();
  }

  private static List<Tuple> permissionRows(Seed seed, Set<String> seedOwned) {
    List<Tuple> rows = new ArrayList<>();
    seed.roles()
        .forEach(
            (role, perms) -> {
              if (seedOwned.contains(role)) {
                new LinkedHashSet<>(perms).forEach(p -> rows.add(Tuple.of(role, p)));
              }
            });
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
