package dev.conductor.platform.db.section;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conductor.platform.config.ConfigChange;
import dev.conductor.platform.config.SectionDiff;
import dev.conductor.platform.config.SectionScope;
import dev.conductor.platform.db.Transactions;
import dev.conductor.platform.problem.ProblemException;
import dev.conductor.platform.trace.TraceContext;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * First start: a global section with settings ({@link Section#initial}) stores them as version 1,
 * by {@code settings}, with one config.changed; invalid settings stop the start with a message
 * naming the setting. Later starts keep the stored section (changed through the API since) and only
 * warn when the settings differ. Then the followers load what is stored, before the Kafka consumers
 * start.
 */
@ApplicationScoped
public class SectionBootstrap {
  private static final Logger LOG = Logger.getLogger(SectionBootstrap.class);
  static final String WHO = "settings";
  // Not under "config/": the outbox relay locks hashtext(record_key) of config/<section> events.
  private static final String LOCK = "SELECT pg_advisory_xact_lock(hashtext('section/bootstrap'))";

  private final SectionRegistry sections;
  private final SectionUpdates updates;
  private final SectionVersions versions;
  private final SectionWatch watch;
  private final Transactions transactions;

  public SectionBootstrap(
      SectionRegistry sections,
      SectionUpdates updates,
      SectionVersions versions,
      SectionWatch watch,
      Transactions transactions) {
    this.sections = sections;
    this.updates = updates;
    this.versions = versions;
    this.watch = watch;
    this.transactions = transactions;
  }

  /** Runs before the Kafka consumers start: they need the sections in memory. */
  public void start(@Observes @Priority(1) StartupEvent event) {
    List<Section> seeded =
        sections.all(SectionScope.GLOBAL).stream().filter(s -> s.initial().isPresent()).toList();
    if (seeded.isEmpty()) {
      return;
    }
    transactions
        .run(
            tx -> {
              // Instances starting together on an empty database: one stores, the others wait
              // here and then find version 1.
              Uni<Void> chain = tx.query(LOCK).execute().replaceWithVoid();
              for (Section section : seeded) {
                chain =
                    chain
                        .chain(() -> validated(tx, section, section.initial().orElseThrow()))
                        .chain(() -> seed(tx, section));
              }
              return chain;
            })
        .chain(watch::refreshAll)
        .await()
        .atMost(Duration.ofSeconds(60));
  }

  /**
   * The settings' items as a PUT would accept them; fails fast, before anything is stored, with an
   * {@link IllegalStateException} naming the setting and each bad item.
   */
  public static Uni<Map<String, JsonNode>> validated(
      SqlClient db, Section section, Map<String, JsonNode> items) {
    return section
        .parse(db, null, section.document(items))
        .onFailure(ProblemException.class)
        .transform(
            e ->
                new IllegalStateException(
                    "invalid setting "
                        + section.setting()
                        + " (section "
                        + section.name()
                        + "): "
                        + e.getMessage(),
                    e));
  }

  private Uni<Void> seed(SqlConnection tx, Section section) {
    return versions
        .current(tx, section.name(), null)
        .chain(
            version -> {
              if (SectionVersions.NONE.equals(version)) {
                return section
                    .firstVersion(tx)
                    .chain(
                        items -> {
                          LOG.infof(
                              "storing section %s as version 1: %s",
                              section.name(), items.keySet());
                          return updates.apply(
                              tx,
                              section,
                              null,
                              section.document(items),
                              null,
                              WHO,
                              TraceContext.newTrace(),
                              true);
                        })
                    .replaceWithVoid();
              }
              return section
                  .read(tx, null)
                  .invoke(stored -> warnIfDifferent(section, version, stored))
                  .replaceWithVoid();
            });
  }

  private static void warnIfDifferent(
      Section section, String version, Map<String, JsonNode> stored) {
    List<ConfigChange> differences = SectionDiff.of(stored, section.initial().orElseThrow());
    if (!differences.isEmpty()) {
      LOG.warnf(
          "section %s: the stored version %s is in force; the settings differ from it (%s) and"
              + " are ignored — change the section with PUT /api/v1/config/%s",
          section.name(), version, differences, section.name());
    }
  }
}
