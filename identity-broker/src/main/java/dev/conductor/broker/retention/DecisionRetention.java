package dev.conductor.broker.retention;

import dev.conductor.platform.db.retention.SqlRetention;
import jakarta.inject.Singleton;
import java.util.Optional;

/**
 * Decisions are kept {@code conductor.retention.decisions} (P90D) for {@code GET
 * /api/v1/decisions/{id}}; the audit ledger keeps what each one decided for as long as it keeps
 * records. A decision a kept lease still names stays until the lease is gone.
 */
@Singleton
public class DecisionRetention extends SqlRetention {
  private static final String SWEEP =
      """
      DELETE FROM decisions WHERE ctid IN
        (SELECT d.ctid FROM decisions d
          WHERE d.decided_at < $1
            AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.decision_id = d.id)
          LIMIT $2)
      """;

  public DecisionRetention(BrokerRetention settings) {
    super("decisions", "conductor.retention.decisions", Optional.of(settings.decisions()), SWEEP);
  }
}
