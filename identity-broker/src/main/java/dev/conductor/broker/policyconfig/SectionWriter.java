package dev.conductor.broker.policyconfig;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conductor.broker.policy.PolicyFollower;
import dev.conductor.broker.policy.PolicyStore;
import dev.conductor.broker.policy.PolicyVersion;
import dev.conductor.events.Envelope;
import dev.conductor.events.EventType;
import dev.conductor.events.data.ConfigChanged;
import dev.conductor.platform.config.ConfigChange;
import dev.conductor.platform.config.ConfigDiff;
import dev.conductor.platform.config.SectionDiff;
import dev.conductor.platform.db.Transactions;
import dev.conductor.platform.outbox.Outbox;
import dev.conductor.platform.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

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
   * Validates {@code body}, diffs it against the stored section and, unless {@code dryRun} or
   * nothing changes, replaces the section ({@code who} and {@code traceparent} go into the event).
   */
  public Uni<ConfigDiff> put(
      ConfigSection section,
      String workspace,
      JsonNode body,
      boolean dryRun,
      String who,
      String traceparent) {
    SortedMap<String, JsonNode> desired = section.parse(body, workspace, store.policy());
    return transactions
        .run(
            tx ->
                tx.query(PolicyVersion.LOCK_SQL)
                    .execute()
                    .chain(() -> head(tx))
                    .chain(
                        head ->
                            section
                                .current(tx, workspace)
                                .chain(
                                    current ->
                                        apply(
                                            tx,
                                            section,
                                            workspace,
                                            head,
                                            current,
                                            desired,
                                            dryRun,
                                            who,
                                            traceparent))))
        .call(
            diff ->
                diff.changed() && !diff.dryRun()
                    ? follower.refresh()
                    : Uni.createFrom().voidItem());
  }

  private Uni<ConfigDiff> apply(
      SqlConnection tx,
      ConfigSection section,
      String workspace,
      Head head,
      Map<String, JsonNode> current,
      Map<String, JsonNode> desired,
      boolean dryRun,
      String who,
      String traceparent) {
    List<ConfigChange> changes = SectionDiff.of(current, desired);
    return section
        .check(tx, workspace, current, desired)
        .chain(
            () -> {
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
