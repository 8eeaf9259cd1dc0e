package dev.conductor.scheduler.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conductor.events.Envelope;
import dev.conductor.events.EventType;
import dev.conductor.events.data.ConfigChanged;
import dev.conductor.platform.config.ConfigChange;
import dev.conductor.platform.config.ConfigDiff;
import dev.conductor.platform.config.SectionDiff;
import dev.conductor.platform.db.Transactions;
import dev.conductor.platform.db.outbox.Outbox;
import dev.conductor.scheduler.dispatch.Emitter;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The flow every global section shares: GET answers the stored document; PUT validates the whole
 * document, diffs it against the stored section and, unless it is a dry run or changes nothing,
 * stores it, bumps the version and emits one {@code config.changed} in one transaction, then
 * reloads this instance's copy (others follow by polling the version).
 */
@ApplicationScoped
public class SectionUpdates {
  private static final Logger LOG = Logger.getLogger(SectionUpdates.class);
  private static final String SNAPSHOT =
      "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";
  private final Sections sections;
  private final SectionVersions versions;
  private final Transactions transactions;
  private final Outbox outbox;
  private final Clock clock;

  public SectionUpdates(
      Sections sections,
      SectionVersions versions,
      Transactions transactions,
      Outbox outbox,
      Clock clock) {
    this.sections = sections;
    this.versions = versions;
    this.transactions = transactions;
    this.outbox = outbox;
    this.clock = clock;
  }

  /** The stored section in the shape a PUT accepts. */
  public Uni<JsonNode> document(String name) {
    GlobalSection section = sections.require(name);
    return section.read(transactions.pool()).map(SectionUpdates::document);
  }

  public Uni<ConfigDiff> put(
      String name, JsonNode body, boolean dryRun, String who, String traceparent) {
    GlobalSection section = sections.require(name);
    Map<String, JsonNode> desired = section.parse(body);
    if (dryRun) {
      // Version, section and the check read one snapshot: a change committing in between cannot
      // pair the old version with the new content.
      return transactions
          .pool()
          .withTransaction(
              c ->
                  c.query(SNAPSHOT)
                      .execute()
                      .chain(() -> preview(c, section, desired))
                      .call(p -> section.check(c, p.changes()))
                      .map(p -> ConfigDiff.of(name, null, true, str(p.version()), p.changes())));
    }
    return preview(transactions.pool(), section, desired)
        .chain(p -> section.prepare(p.changes()))
        .chain(() -> transactions.run(tx -> apply(tx, section, desired, who, traceparent, false)))
        .call(diff -> diff.changed() ? reload(section) : Uni.createFrom().voidItem());
  }

  private Uni<Preview> preview(
      SqlClient client, GlobalSection section, Map<String, JsonNode> desired) {
    return versions
        .version(client, section.name())
        .chain(
            version ->
                section
                    .read(client)
                    .map(current -> new Preview(version, SectionDiff.of(current, desired))));
  }

  /**
   * The change is committed: a failed reload of our copy must not turn it into an error (a retry
   * would find nothing to change). The poll catches up within seconds.
   */
  private Uni<Void> reload(GlobalSection section) {
    return section
        .reload(transactions.pool())
        .onFailure()
        .recoverWithUni(
            e -> {
              LOG.warnf(
                  e,
                  "section %s: changed, but reloading this instance's copy failed; the poll will"
                      + " catch up",
                  section.name());
              return Uni.createFrom().voidItem();
            });
  }

  /**
   * Stores {@code desired} under the section's lock. {@code always} stores (and versions) even an
   * unchanged document: the first start records the settings as version 1 whatever rows exist.
   */
  Uni<ConfigDiff> apply(
      SqlConnection tx,
      GlobalSection section,
      Map<String, JsonNode> desired,
      String who,
      String traceparent,
      boolean always) {
    String name = section.name();
    return versions
        .lock(tx, lockKey(name))
        .chain(() -> versions.version(tx, name))
        .chain(
            version ->
                section
                    .read(tx)
                    .chain(
                        current -> {
                          List<ConfigChange> changes = SectionDiff.of(current, desired);
                          if (changes.isEmpty() && !always) {
                            return Uni.createFrom()
                                .item(ConfigDiff.of(name, null, false, str(version), changes));
                          }
                          return section
                              .store(tx, desired, changes)
                              .chain(() -> versions.bump(tx, name, who, clock.instant()))
                              .call(next -> emit(tx, name, who, version, next, traceparent))
                              .map(
                                  next ->
                                      new ConfigDiff(name, null, false, true, str(next), changes));
                        }));
  }

  /**
   * The advisory lock key serializing changes of one section. Not the event's key {@code
   * config/<section>}: the outbox relay holds {@code hashtext(record_key)} while Kafka
   * acknowledges.
   */
  static String lockKey(String section) {
    return "scheduler/config/" + section;
  }

  private Uni<Void> emit(
      SqlConnection tx, String section, String who, long from, long to, String traceparent) {
    ConfigChanged data = new ConfigChanged(null, section, who, str(from), str(to));
    Envelope<ConfigChanged> event =
        Envelope.of(EventType.CONFIG_CHANGED, Emitter.SOURCE, "config/" + section, data, clock);
    return outbox.append(tx, event, EventType.CONFIG_CHANGED.topic(), traceparent);
  }

  private static JsonNode document(Map<String, JsonNode> items) {
    ObjectNode doc = JsonNodeFactory.instance.objectNode();
    items.forEach(doc::set);
    return doc;
  }

  private static String str(long version) {
    return Long.toString(version);
  }

  /** The section as stored before the transaction: what a dry run answers. */
  private record Preview(long version, List<ConfigChange> changes) {}
}
