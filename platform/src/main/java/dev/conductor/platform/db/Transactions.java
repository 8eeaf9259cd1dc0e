package dev.conductor.platform.db;

import dev.conductor.platform.outbox.OutboxRelay;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Function;

/**
 * Runs work in one database transaction and wakes the outbox relay after it commits. Every state
 * change of a service goes through here, so its events and its state commit together.
 */
@ApplicationScoped
public class Transactions {
  private final Pool pool;
  private final OutboxRelay relay;

  public Transactions(Pool pool, OutboxRelay relay) {
    this.pool = pool;
    this.relay = relay;
  }

  public <T> Uni<T> run(Function<SqlConnection, Uni<T>> work) {
    return pool.withTransaction(work).invoke(relay::wake);
  }

  public Pool pool() {
    return pool;
  }
}
