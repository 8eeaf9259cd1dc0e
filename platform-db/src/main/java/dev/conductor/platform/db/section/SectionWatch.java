package dev.conductor.platform.db.section;

import dev.conductor.platform.db.Transactions;
import dev.conductor.platform.timer.Periodic;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.time.Duration;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Lets every instance follow section changes: after a change this instance committed, and whenever
 * the versions' stamp (one cheap query every {@code conductor.config.poll}, PT2S) differs from the
 * one seen last, every {@link SectionFollower} refreshes. A failed refresh is logged and keeps the
 * copy held: deciding on a slightly old configuration beats deciding on none.
 */
@ApplicationScoped
public class SectionWatch {
  private static final Logger LOG = Logger.getLogger(SectionWatch.class);

  private final Transactions transactions;
  private final SectionVersions versions;
  private final List<SectionFollower> followers;
  private final Duration interval;
  private final Periodic periodic;
  private volatile String seen;

  public SectionWatch(
      Vertx vertx,
      Transactions transactions,
      SectionVersions versions,
      Instance<SectionFollower> followers,
      SectionSettings settings) {
    this.transactions = transactions;
    this.versions = versions;
    this.followers = followers.stream().toList();
    this.interval = settings.poll();
    this.periodic =
        new Periodic(vertx, this::poll, "config poll failed, keeping the sections held", LOG);
  }

  void start(@Observes StartupEvent event) {
    if (!followers.isEmpty()) {
      periodic.start(interval);
    }
  }

  void stop(@Observes ShutdownEvent event) {
    periodic.stop();
  }

  /** Refreshes the followers if any version changed since the last look. */
  public Uni<Void> poll() {
    return versions
        .stamp(transactions.pool())
        .chain(stamp -> stamp.equals(seen) ? Uni.createFrom().voidItem() : refresh(stamp));
  }

  /**
   * Right after this instance's own commit. The change is committed: a failed refresh must not turn
   * it into an error (a retry would find nothing to change); the poll catches up.
   */
  public Uni<Void> changed() {
    return refreshAll()
        .onFailure()
        .recoverWithUni(
            e -> {
              LOG.warnf(
                  e,
                  "a section changed, but refreshing this instance failed; the poll will"
                      + " catch up");
              return Uni.createFrom().voidItem();
            });
  }

  private Uni<Void> refresh(String stamp) {
    return refreshAll().invoke(() -> seen = stamp);
  }

  /** Every follower, one after the other. */
  public Uni<Void> refreshAll() {
    Uni<Void> chain = Uni.createFrom().voidItem();
    for (SectionFollower follower : followers) {
      chain = chain.chain(() -> follower.refresh(transactions.pool()));
    }
    return chain;
  }
}
