package dev.conductor.broker.policyconfig;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conductor.broker.policy.PolicyFollower;
import dev.conductor.broker.policy.PolicyStore;
import dev.conductor.broker.policy.PolicyVersion;
import dev.conductor.events.Envelope;
import dev.conductor.events.EventType;
import dev.conductor.events.data.ConfigChanged;
import dev.conductor.platform.auth.Caller;
import dev.conductor.platform.config.ConfigChange;
import dev.conductor.platform.config.ConfigDiff;
import dev.conductor.platform.config.SectionDiff;
import dev.conductor.platform.db.Transactions;
import dev.conductor.platform.db.outbox.Outbox;
import dev.conductor.platform.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * Reads and replaces config sections. All broker sections change the one policy: a change stores
 * the section, bumps the policy revision and appends one {@code config.changed} (old and new policy
 * version) in one transaction, under the lock every policy writer (seed loads included) takes; then
 * this instance's policy is refreshed at once, the others follow by polling.
 */
@ApplicationScoped
public class SectionWriter {
  private static final String SOURCE = Envelope.sourceOf("identity-broker");

  private final Transactions transactions;
  private final PolicyStore store;
  private final PolicyFollower follower;
  private final Outbox outbox;
  private final Clock clock;

  public SectionWriter(
      Transactions transactions,
      PolicyStore store,
      PolicyFollower follower,
      Outbox outbox,
      Clock clock) {
    this.transactions = transactions;
    this.store = store;
    this.follower = follower;
    this.outbox = outbox;
    this.clock = clock;
  }

  /** The stored policy row: the version in force is derived from it. */
  private record Head(String seedVersion, long revision) {
    String version() {
      return PolicyVersion.of(seedVersion, revision);
    }
  }

  public Uni<JsonNode> get(ConfigSection section, String workspace) {
    return section.current(transactions.pool(), workspace).map(section::document);
  }

  /**
   * Validates {@code body} against the roles stored now, diffs it against the stored section,
   * refuses it (403) when it would grant more than {@code caller} holds and, unless {@code dryRun}
   * or nothing changes, replaces the section ({@code caller}'s subject and {@code traceparent} go
   * into the event).
   */
  public Uni<ConfigDiff> put(
      ConfigSection section,
      String workspace,
      JsonNode body,
      boolean dryRun,
      Caller caller,
      String traceparent) {
    return transactions
        .run(
            tx ->
                tx.query(PolicyVersion.LOCK_SQL)
                    .execute()
                    .chain(() -> head(tx))
                    .chain(
                        head ->
                            roles(tx)
                                .chain(
                                    roles -> {
                                      SortedMap<String, JsonNode> desired =
                                          section.parse(body, workspace, roles);
                                      return section
                                          .current(tx, workspace)
                                          .chain(
                                              current ->
                                                  apply(
                                                      tx,
                                                      section,
                                                      workspace,
                                                      head,
                                                      body,
                                                      current,
                                                      desired,
                                                      roles,
                                                      dryRun,
                                                      caller,
                                                      traceparent));
                                    })))
        .call(
            diff ->
                diff.changed() && !diff.dryRun()
                    ? follower.refresh()
                    : Uni.createFrom().voidItem());
  }

  /** The roles stored now (name to permissions), read under the policy lock. */
  private static Uni<Map<String, Set<String>>> roles(SqlConnection tx) {
    return tx.query(
            "SELECT r.name, p.permission FROM roles r"
                + " LEFT JOIN role_permissions p ON p.role = r.name")
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

  private Uni<ConfigDiff> apply(
      SqlConnection tx,
      ConfigSection section,
      String workspace,
      Head head,
      JsonNode body,
      Map<String, JsonNode> current,
      Map<String, JsonNode> desired,
      Map<String, Set<String>> roles,
      boolean dryRun,
      Caller caller,
      String traceparent) {
    List<ConfigChange> changes = SectionDiff.of(current, desired);
    String who = caller.subject();
    return section
        .check(tx, workspace, current, desired)
        .chain(
            () -> {
              section.authorize(
                  new Grants(caller, store.policy()), body, workspace, current, desired, roles);
              if (dryRun || changes.isEmpty()) {
                return Uni.createFrom()
                    .item(
                        ConfigDiff.of(section.name(), workspace, dryRun, head.version(), changes));
              }
              Head next = new Head(head.seedVersion(), head.revision() + 1);
              ConfigChanged data =
                  new ConfigChanged(workspace, section.name(), who, head.version(), next.version());
              String key =
                  section.global()
                      ? "config/" + section.name()
                      : "config/" + workspace + "/" + section.name();
              return section
                  .write(tx, workspace, current, desired)
                  .chain(
                      () ->
                          tx.preparedQuery("UPDATE policy SET revision = $1 WHERE id = 1")
                              .execute(Tuple.of(next.revision())))
                  .chain(
                      () ->
                          outbox.append(
                              tx,
                              Envelope.of(EventType.CONFIG_CHANGED, SOURCE, key, data, clock),
                              EventType.CONFIG_CHANGED.topic(),
                              traceparent))
                  .replaceWith(
                      ConfigDiff.of(section.name(), workspace, false, next.version(), changes));
            });
  }

  private static Uni<Head> head(SqlConnection tx) {
    return tx.query("SELECT policy_version, revision FROM policy WHERE id = 1")
        .execute()
        .map(
            rows -> {
              if (rows.size() == 0) {
                throw ProblemException.unavailable("no policy has been loaded yet");
              }
              Row row = rows.iterator().next();
              return new Head(row.getString(0), row.getLong(1));
            });
  }
}
