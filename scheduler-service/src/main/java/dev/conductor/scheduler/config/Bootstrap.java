package dev.conductor.scheduler.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conductor.platform.config.ConfigChange;
import dev.conductor.platform.config.SectionDiff;
import dev.conductor.platform.db.Transactions;
import dev.conductor.platform.problem.ProblemException;
import dev.conductor.platform.trace.TraceContext;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * First start: the settings ({@code conductor.scheduler.pools}, {@code .resource-classes}) become
 * version 1 of their sections, by {@code settings}, with one config.changed each; invalid settings
 * stop the start with a message naming the setting. A database upgraded from before sections keeps
 * its active pools in version 1. Later starts keep the stored sections (changed through the API
 * since) and only warn when the settings differ.
 */
@ApplicationScoped
public class Bootstrap {
  private static final Logger LOG = Logger.getLogger(Bootstrap.class);
  static final String WHO = "settings";
  // Not under "config/": the outbox relay locks hashtext(record_key) of config/<section> events.
  static final String BOOTSTRAP_LOCK = "scheduler/config/bootstrap";

  private final Sections sections;
  private final SectionUpdates updates;
  private final SectionVersions versions;
  private final Transactions transactions;

  public Bootstrap(
      Sections sections,
      SectionUpdates updates,
      SectionVersions versions,
      Transactions transactions) {
    this.sections = sections;
    this.updates = updates;
    this.versions = versions;
    this.transactions = transactions;
  }

  // Before the Kafka consumers start: validating and dispatching runs need the sections in memory.
  void start(@Observes @Priority(1) StartupEvent event) {
    // Fail fast, before anything is stored: the settings must pass what a PUT would accept.
    for (GlobalSection section : sections.all()) {
      validated(section, section.initial());
    }
    transactions
        .run(
            tx -> {
              // Instances starting together on an empty database: one stores, the others wait here
              // and then find version 1.
              Uni<Void> chain = versions.lock(tx, BOOTSTRAP_LOCK);
              for (GlobalSection section : sections.all()) {
                chain = chain.chain(() -> seed(tx, section));
              }
              return chain;
            })
        .chain(this::loadAll)
        .await()
        .atMost(Duration.ofSeconds(60));
  }

  private Uni<Void> seed(SqlConnection tx, GlobalSection section) {
    return versions
        .version(tx, section.name())
        .chain(
            version -> {
              if (version == 0) {
                return section
                    .firstVersion(tx)
                    .chain(
                        items -> {
                          LOG.infof(
                              "storing section %s as version 1: %s",
                              section.name(), items.keySet());
                          return updates.apply(
                              tx, section, items, WHO, TraceContext.newTrace(), true);
                        })
                    .replaceWithVoid();
              }
              return section.read(tx).invoke(stored -> warnIfDifferent(section, version, stored));
            })
        .replaceWithVoid();
  }

  /**
   * The items as a PUT would accept them.
   *
   * @throws IllegalStateException naming the setting and each bad item
   */
  static Map<String, JsonNode> validated(GlobalSection section, Map<String, JsonNode> items) {
    ObjectNode document = JsonNodeFactory.instance.objectNode();
    items.forEach(document::set);
    try {
      return section.parse(document);
    } catch (ProblemException e) {
      throw new IllegalStateException(
          "invalid setting "
              + section.setting()
              + " (section "
              + section.name()
              + "): "
              + e.getMessage(),
          e);
    }
  }

  private static void warnIfDifferent(
      GlobalSection section, long version, Map<String, JsonNode> stored) {
    List<ConfigChange> differences = SectionDiff.of(stored, section.initial());
    if (!differences.isEmpty()) {
      LOG.warnf(
          "section %s: the stored version %d is in force; the settings differ from it (%s) and"
              + " are ignored — change the section with PUT /api/v1/config/%s",
          section.name(), version, differences, section.name());
    }
  }

  private Uni<Void> loadAll() {
    Uni<Void> chain = Uni.createFrom().voidItem();
    for (GlobalSection section : sections.all()) {
      chain = chain.chain(() -> section.reload(transactions.pool()));
    }
    return chain;
  }
}
