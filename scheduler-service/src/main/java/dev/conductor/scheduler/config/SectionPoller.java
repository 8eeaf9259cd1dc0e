package dev.conductor.scheduler.config;

import dev.conductor.platform.db.Transactions;
import dev.conductor.scheduler.Periodic;
import dev.conductor.scheduler.Settings;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Follows changes other instances make: every couple of seconds one query reads the section
 * versions, and a section whose version differs from the one held is reloaded. A failed poll logs
 * and keeps the state held.
 */
@ApplicationScoped
public class SectionPoller {
  private static final Logger LOG = Logger.getLogger(SectionPoller.class);

  private final Transactions transactions;
  private final SectionVersions versions;
  private final Sections sections;
  private final long intervalMillis;
  private final Periodic periodic;

  public SectionPoller(
      Vertx vertx,
      Transactions transactions,
      SectionVersions versions,
      Sections sections,
      Settings settings) {
    this.transactions = transactions;
    this.versions = versions;
    this.sections = sections;
    this.intervalMillis = settings.configPollMillis();
    this.periodic =
        new Periodic(vertx, this::poll, "config poll failed, keeping the sections held", LOG);
  }

  void start(@Observes StartupEvent event) {
    periodic.start(intervalMillis);
  }

  void stop(@Observes ShutdownEvent event) {
    periodic.stop();
  }

  /** Reloads every section whose stored version is not the one held. */
  public Uni<Void> poll() {
    return versions
        .all(transactions.pool())
        .chain(
            stored -> {
              Uni<Void> chain = Uni.createFrom().voidItem();
              for (GlobalSection section : sections.all()) {
                if (differs(stored, section)) {
                  chain = chain.chain(() -> section.reload(transactions.pool()));
                }
              }
              return chain;
            });
  }

  private static boolean differs(Map<String, Long> stored, GlobalSection section) {
    Long version = stored.get(section.name());
    return version != null && version != section.loadedVersion();
  }
}
