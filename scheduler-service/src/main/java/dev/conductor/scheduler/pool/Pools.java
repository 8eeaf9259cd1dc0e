package dev.conductor.scheduler.pool;

import dev.conductor.platform.db.Transactions;
import dev.conductor.platform.problem.ProblemException;
import dev.conductor.scheduler.Settings;
import dev.conductor.scheduler.slot.SlotLedger;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** The configured pools; each gets its ledger row at startup. */
@ApplicationScoped
public class Pools {
  private final Set<String> names;
  private final Transactions transactions;
  private final SlotLedger ledger;

  public Pools(Settings settings, Transactions transactions, SlotLedger ledger) {
    this.names = Set.copyOf(settings.pools().stream().map(String::trim).toList());
    this.transactions = transactions;
    this.ledger = ledger;
  }

  // Before the Kafka consumers start: dispatching needs the pool rows.
  void seed(@Observes @Priority(1) StartupEvent event) {
    transactions
        .pool()
        .withTransaction(
            tx -> {
              Uni<Void> chain = Uni.createFrom().voidItem();
              for (String pool : List.copyOf(names)) {
                chain = chain.chain(() -> ledger.ensurePool(tx, pool));
              }
              return chain;
            })
        .await()
        .atMost(Duration.ofSeconds(30));
  }

  public boolean known(String pool) {
    return names.contains(pool);
  }

  /**
   * @throws ProblemException 404 for a pool that is not configured
   */
  public void require(String pool) {
    if (!known(pool)) {
      throw ProblemException.notFound("pool " + pool);
    }
  }
}
