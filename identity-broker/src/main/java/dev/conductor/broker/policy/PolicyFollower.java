package dev.conductor.broker.policy;

import dev.conductor.broker.config.BrokerConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Keeps the {@link PolicyStore} of this instance in step with the database: a writer refreshes it
 * right after its own commit, and a cheap poll of the policy revision (every {@code
 * conductor.broker.policy-poll}) picks up what other broker instances changed. A failed refresh
 * logs and keeps the policy in force: deciding on a slightly old policy beats deciding on none.
 */
@ApplicationScoped
public class PolicyFollower {
  private static final Logger LOG = Logger.getLogger(PolicyFollower.class);

  private final Pool pool;
  private final PolicyStore store;
  private final Vertx vertx;
  private final BrokerConfig config;
  private final AtomicBoolean polling = new AtomicBoolean();
  private volatile long timer = -1;

  public PolicyFollower(Pool pool, PolicyStore store, Vertx vertx, BrokerConfig config) {
    this.pool = pool;
    this.store = store;
    this.vertx = vertx;
    this.config = config;
  }

  void onStart(@Observes StartupEvent event) {
    timer = vertx.setPeriodic(config.policyPoll().toMillis(), id -> poll());
  }

  void onStop(@Observes ShutdownEvent event) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** Reads the whole policy and installs it; never fails (a failure is logged). */
  public Uni<Void> refresh() {
    return PolicyReader.read(pool)
        .invoke(store::replace)
        .replaceWithVoid()
        .onFailure()
        .recoverWithUni(
            e -> {
              LOG.warnf(e, "cannot refresh the policy; keeping %s", store.policy().version());
              return Uni.createFrom().voidItem();
            });
  }

  private void poll() {
    if (!polling.compareAndSet(false, true)) {
      return; // the previous poll is still running
    }
    pool.query("SELECT revision FROM policy WHERE id = 1")
        .execute()
        .map(rows -> rows.size() == 0 ? -1L : rows.iterator().next().getLong(0))
        .chain(revision -> revision > store.revision() ? refresh() : Uni.createFrom().voidItem())
        .onTermination()
        .invoke(() -> polling.set(false))
        .subscribe()
        .with(ignored -> {}, e -> LOG.warnf("cannot poll the policy revision: %s", e.getMessage()));
  }
}
