package dev.conductor.audit.ledger;

import dev.conductor.events.Topics;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * The chain count: {@link Topics#AUDIT_PARTITIONS} when the ledger is first created, then always
 * what {@code ledger_meta} says, so later re-partitioning never moves an existing chain. Creating
 * it also creates the chain heads (seq 0, genesis hash) that appenders lock.
 */
@ApplicationScoped
public class LedgerMeta {
  private static final Logger LOG = Logger.getLogger(LedgerMeta.class);
  private static final String CREATE_META =
      "INSERT INTO ledger_meta (id, chains) VALUES (1, $1) ON CONFLICT (id) DO NOTHING";
  private static final String READ_META = "SELECT chains FROM ledger_meta WHERE id = 1";
  private static final String CREATE_HEADS =
      """
      INSERT INTO chain_heads (chain, seq, hash)
      SELECT c, 0, $2 FROM generate_series(0, $1 - 1) AS c ON CONFLICT (chain) DO NOTHING
      """;

  private final Pool pool;
  private volatile Integer chains;

  public LedgerMeta(Pool pool) {
    this.pool = pool;
  }

  /** Fixes the chain count at first start; if the database is not there yet, first use retries. */
  void onStart(@Observes StartupEvent event) {
    chains()
        .subscribe()
        .with(
            n -> LOG.infof("audit ledger: %d chains", n),
            e -> LOG.warnf("audit ledger metadata not ready yet: %s", e.getMessage()));
  }

  /** The number of chains, creating the ledger's metadata on first use (idempotent, race-safe). */
  public Uni<Integer> chains() {
    Integer known = chains;
    if (known != null) {
      return Uni.createFrom().item(known);
    }
    return pool.withTransaction(
            tx ->
                tx.preparedQuery(CREATE_META)
                    .execute(Tuple.of(Topics.AUDIT_PARTITIONS))
                    .chain(() -> tx.query(READ_META).execute())
                    .map(rows -> rows.iterator().next().getInteger("chains"))
                    .call(
                        n ->
                            tx.preparedQuery(CREATE_HEADS).execute(Tuple.of(n, ChainHash.GENESIS))))
        .invoke(n -> chains = n);
  }
}
