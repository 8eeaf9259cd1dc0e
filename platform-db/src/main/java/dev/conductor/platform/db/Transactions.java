package dev.conductor.platform.db;

import dev.conductor.platform.db.outbox.Appended;
import dev.conductor.platform.db.outbox.Outbox;
import dev.conductor.platform.db.outbox.OutboxPublisher;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Function;

/**
 * Runs work in one database transaction, writes the outbox rows it appended in one batch before it
 * commits and publishes them right after. Every state change of a service goes through here, so its
 * events and its state commit together.
 */
@ApplicationScoped
public class Transactions {
  private final Pool pool;
  private final Outbox outbox;
  private final OutboxPublisher publisher;

  public Transactions(Pool pool, Outbox outbox, OutboxPublisher publisher) {
    this.pool = pool;
    this.outbox = outbox;
    this.publisher = publisher;
  }

  public <T> Uni<T> run(Function<SqlConnection, Uni<T>> work) {
    return pool.withTransaction(
            tx -> {
              Appended appended = outbox.begin(tx);
              return work.apply(tx)
                  .call(() -> outbox.flush(tx))
                  .eventually(() -> outbox.end(tx))
                  .map(result -> new Committed<>(result, appended));
            })
        .invoke(committed -> publisher.afterCommit(committed.appended()))
        .map(Committed::result);
  }

  private record Committed<T>(T result, Appended appended) {}

  public Pool pool() {
    return pool;
  }
}
