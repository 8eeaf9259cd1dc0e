package dev.conductor.broker.policy;

import dev.conductor.platform.db.section.SectionFollower;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Keeps the {@link PolicyStore} of this instance in step with the database. The section framework
 * calls it right after this instance's own section change and whenever the policy version changed
 * (platform-db's {@code SectionWatch} polls it every {@code conductor.config.poll}), which covers
 * what other broker instances changed, seed reloads included. A failed refresh keeps the policy in
 * force (the watch logs it and tries again): deciding on a slightly old policy beats deciding on
 * none.
 */
@ApplicationScoped
public class PolicyFollower implements SectionFollower {
  private final Pool pool;
  private final PolicyStore store;

  public PolicyFollower(Pool pool, PolicyStore store) {
    this.pool = pool;
    this.store = store;
  }

  /**
   * Reads the whole policy from the pool, in one snapshot of its own, whatever {@code db} is. A
   * failure fails the refresh, so the section watch does not take the version as followed and tries
   * again at its next poll.
   */
  @Override
  public Uni<Void> refresh(SqlClient db) {
    return PolicyReader.read(pool).invoke(store::replace).replaceWithVoid();
  }
}
