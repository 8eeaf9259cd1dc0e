package dev.conductor.audit.ledger;

import dev.conductor.platform.db.Transactions;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * One batch, one transaction: lock the touched chain heads, append the new events, move the heads,
 * queue their {@code audit.record}s in the outbox, commit.
 */
@ApplicationScoped
public class LedgerAppender {
  private final Transactions transactions;
  private final LedgerMeta meta;
  private final Ledger ledger;
  private final AuditPublisher publisher;

  public LedgerAppender(
      Transactions transactions, LedgerMeta meta, Ledger ledger, AuditPublisher publisher) {
    this.transactions = transactions;
    this.meta = meta;
    this.ledger = ledger;
    this.publisher = publisher;
  }

  /** The rows this batch added (a redelivered batch adds none). */
  public Uni<List<Recorded>> append(List<Observed> batch) {
    return meta.chains()
        .chain(
            chains ->
                transactions.run(
                    tx ->
                        ledger
                            .append(tx, chains, batch)
                            .call(recorded -> publisher.publish(tx, recorded))));
  }
}
