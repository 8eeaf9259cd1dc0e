package dev.conductor.platform.db.section;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conductor.events.Envelope;
import dev.conductor.events.EventType;
import dev.conductor.events.data.ConfigChanged;
import dev.conductor.platform.auth.Caller;
import dev.conductor.platform.config.ConfigChange;
import dev.conductor.platform.config.ConfigDiff;
import dev.conductor.platform.config.SectionDiff;
import dev.conductor.platform.config.SectionScope;
import dev.conductor.platform.db.Transactions;
import dev.conductor.platform.db.outbox.Outbox;
import dev.conductor.platform.kafka.KafkaSettings;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The flow every section shares. GET answers the stored document. PUT validates the whole document,
 * diffs it against the stored section and, unless it is a dry run or changes nothing, stores it,
 * bumps the version and appends one {@code config.changed} in one transaction under the section's
 * lock, then lets this instance's followers refresh (other instances follow by polling).
 */
@ApplicationScoped
public class SectionUpdates {
  // A dry run reads version, section and checks in one snapshot: a change committing in between
  // cannot pair the old version with the new content.
  private static final String SNAPSHOT =
      "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";

  private final Transactions transactions;
  private final SectionVersions versions;
  private final SectionWatch watch;
  private final Outbox outbox;
  private final Clock clock;
  private final String source;
  private final String changes;

  public SectionUpdates(
      Transactions transactions,
      SectionVersions versions,
      SectionWatch watch,
      Outbox outbox,
      Clock clock,
      KafkaSettings kafka,
      @ConfigProperty(name = "quarkus.application.name") String service) {
    this.transactions = transactions;
    this.versions = versions;
    this.watch = watch;
    this.outbox = outbox;
    this.clock = clock;
    this.source = Envelope.sourceOf(service);
    this.changes = EventType.CONFIG_CHANGED.topic(kafka.principal());
  }

  /** The stored section in the shape a PUT accepts. */
  public Uni<JsonNode> document(Section section, String workspace) {
    return section.read(transactions.pool(), workspace).map(section::document);
  }

  /**
   * Replaces the section with {@code document}; {@code dryRun} only validates and answers the diff.
   * {@code caller} is who asks ({@code caller.subject()} goes into the event).
   */
  public Uni<ConfigDiff> put(
      Section section,
      String workspace,
      JsonNode document,
      boolean dryRun,
      Caller caller,
      String traceparent) {
    String who = caller.subject();
    if (dryRun) {
      return transactions
          .pool()
          .withTransaction(
              c ->
                  c.query(SNAPSHOT)
                      .execute()
                      .chain(() -> versions.current(c, section.name(), workspace))
                      .chain(
                          version ->
                              plan(c, section, workspace, document, caller, who, traceparent)
                                  .call(change -> section.check(c, change))
                                  .chain(change -> section.preview(c, change))
                                  .map(
                                      changes ->
                                          ConfigDiff.of(
                                              section.name(), workspace, true, version, changes))));
    }
    // Validation errors, 409s and the preparation (topics) before the transaction: it holds the
    // section's lock, and nothing slow should run under it.
    return plan(transactions.pool(), section, workspace, document, caller, who, traceparent)
        .call(change -> section.check(transactions.pool(), change))
        .call(
            change ->
                change.changes().isEmpty() ? Uni.createFrom().voidItem() : section.prepare(change))
        .chain(
            () ->
                transactions.run(
                    tx -> apply(tx, section, workspace, document, caller, who, traceparent, false)))
        .call(diff -> diff.changed() ? watch.changed() : Uni.createFrom().voidItem());
  }

  /**
   * Stores the document under the section's lock, checked again there (the first check raced with
   * other writers). Also the first start's way to store the settings ({@code caller} null): with
   * {@code always} it versions even an unchanged document, so the settings become version 1
   * whatever rows an older database holds.
   */
  public Uni<ConfigDiff> apply(
      SqlConnection tx,
      Section section,
      String workspace,
      JsonNode document,
      Caller caller,
      String who,
      String traceparent,
      boolean always) {
    return versions
        .lock(tx, section.name(), workspace)
        .chain(
            version ->
                plan(tx, section, workspace, document, caller, who, traceparent)
                    .call(change -> section.check(tx, change))
                    .chain(
                        change ->
                            change.changes().isEmpty()
                                ? Uni.createFrom().item(List.<ConfigChange>of())
                                : section.store(tx, change))
                    .chain(
                        stored -> {
                          if (stored.isEmpty() && !always) {
                            return Uni.createFrom()
                                .item(
                                    ConfigDiff.of(
                                        section.name(), workspace, false, version, stored));
                          }
                          return versions
                              .bump(tx, section.name(), workspace, who)
                              .call(
                                  next ->
                                      section.emitsItemEvents()
                                          ? Uni.createFrom().voidItem()
                                          : emit(
                                              tx,
                                              section,
                                              workspace,
                                              who,
                                              version,
                                              next,
                                              traceparent))
                              .map(
                                  next ->
                                      ConfigDiff.of(
                                          section.name(), workspace, false, next, stored));
                        }));
  }

  /** Parses the document against what {@code db} sees and diffs it with the stored section. */
  private static Uni<SectionChange> plan(
      SqlClient db,
      Section section,
      String workspace,
      JsonNode document,
      Caller caller,
      String who,
      String traceparent) {
    return section
        .parse(db, workspace, document)
        .chain(
            desired ->
                section
                    .read(db, workspace)
                    .map(
                        current -> {
                          Map<String, JsonNode> before = current;
                          if (section.additive()) {
                            // Items the document leaves out are kept: compare only those it names.
                            before = new TreeMap<>(current);
                            before.keySet().retainAll(desired.keySet());
                          }
                          return new SectionChange(
                              workspace,
                              caller,
                              who,
                              traceparent,
                              document,
                              current,
                              desired,
                              SectionDiff.of(before, desired));
                        }));
  }

  private Uni<Void> emit(
      SqlConnection tx,
      Section section,
      String workspace,
      String who,
      String from,
      String to,
      String traceparent) {
    String previous = SectionVersions.NONE.equals(from) ? null : from;
    ConfigChanged data = new ConfigChanged(workspace, section.name(), who, previous, to);
    String key =
        section.scope() == SectionScope.GLOBAL
            ? "config/" + section.name()
            : "config/" + workspace + "/" + section.name();
    Envelope<ConfigChanged> event = Envelope.of(EventType.CONFIG_CHANGED, source, key, data, clock);
    return outbox.append(tx, event, changes, traceparent);
  }
}
