package dev.conductor.audit.retention;

import dev.conductor.platform.db.retention.RetentionRule;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The audit ledger keeps every record unless {@code conductor.retention.ledger} is set. When it is,
 * the oldest records of each chain are dropped, but never silently: first the seq and hash of the
 * last record to drop become the chain's checkpoint ({@code ledger_checkpoints}), then, in the same
 * transaction, the records it covers are deleted (the ledger's append-only trigger lets through no
 * other delete), so the rest of the chain still verifies from the checkpoint. Every drop is logged
 * at WARN, and {@code POST /api/v1/ledger/verify} names each chain's checkpoint.
 */
@ApplicationScoped
public class LedgerRetention implements RetentionRule {
  private static final Logger LOG = Logger.getLogger(LedgerRetention.class);
  // The oldest records first, per chain a prefix (seq order): the checkpoint moves to its end.
  private static final String MOVE_CHECKPOINTS =
      """
      INSERT INTO ledger_checkpoints (chain, seq, hash, dropped_at)
      SELECT DISTINCT ON (chain) chain, seq, hash, now()
        FROM (SELECT chain, seq, hash FROM ledger
               WHERE recorded_at < $1 ORDER BY chain, seq LIMIT $2) doomed
       ORDER BY chain, seq DESC
      ON CONFLICT (chain) DO UPDATE
         SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, dropped_at = EXCLUDED.dropped_at
       WHERE ledger_checkpoints.seq < EXCLUDED.seq
      """;
  // The ledger's append-only trigger lets exactly this through (V1_2__ledger_retention.sql).
  private static final String SAY_SO =
      "SELECT set_config('conductor.ledger_retention', 'on', true)";
  private static final String DROP_COVERED =
      """
      DELETE FROM ledger l USING ledger_checkpoints c
       WHERE l.chain = c.chain AND l.seq <= c.seq
      """;

  private final Optional<Duration> retention;

  public LedgerRetention(
      @ConfigProperty(name = "conductor.retention.ledger") Optional<Duration> retention) {
    this.retention = retention;
  }

  @Override
  public String name() {
    return "audit ledger records";
  }

  @Override
  public String setting() {
    return "conductor.retention.ledger";
  }

  @Override
  public Optional<Duration> retention() {
    return retention;
  }

  @Override
  public Uni<Integer> sweep(SqlConnection tx, Instant cutoff, int limit) {
    return tx.preparedQuery(MOVE_CHECKPOINTS)
        .execute(Tuple.of(cutoff.atOffset(ZoneOffset.UTC), limit))
        .chain(() -> tx.query(SAY_SO).execute())
        .chain(() -> tx.query(DROP_COVERED).execute())
        .map(rows -> rows.rowCount())
        .invoke(
            dropped -> {
              if (dropped > 0) {
                LOG.warnf(
                    "ledger retention (%s): dropped %d records recorded before %s; each chain now"
                        + " verifies from its checkpoint in ledger_checkpoints",
                    setting(), dropped, cutoff);
              }
            });
  }
}
