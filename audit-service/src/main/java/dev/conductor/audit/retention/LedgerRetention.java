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
  // The ledger's triggers let the checkpoint move and the covered records go only in a transaction
  // that says it is this sweep (V1_2__ledger_retention.sql).
  private static final String SAY_SO =
      "SELECT set_config('conductor.ledger_retention', 'on', true)";
  // Per chain the oldest records, up to the first one recorded at or after the cutoff: recorded_at
  // comes from each instance's clock, so a record stamped early must not pull the checkpoint over
  // younger ones. At most $2 records in all; the checkpoint moves to the last of them.
  private static final String MOVE_CHECKPOINTS =
      """
      INSERT INTO ledger_checkpoints (chain, seq, hash, dropped_at)
      SELECT DISTINCT ON (chain) chain, seq, hash, now()
        FROM (SELECT l.chain, l.seq, l.hash
                FROM ledger l
                LEFT JOIN (SELECT chain, min(seq) AS young FROM ledger
                            WHERE recorded_at >= $1 GROUP BY chain) y ON y.chain = l.chain
               WHERE y.young IS NULL OR l.seq < y.young
               ORDER BY l.chain, l.seq LIMIT $2) doomed
       ORDER BY chain, seq DESC
      ON CONFLICT (chain) DO UPDATE
         SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, dropped_at = EXCLUDED.dropped_at
       WHERE ledger_checkpoints.seq < EXCLUDED.seq
      """;
  private static final String DROP_COVERED =
      """
      DELETE FROM ledger l USING ledger_checkpoints c
       WHERE l.chain = c.chain AND l.seq <= c.seq
      """;

  private final Optional<Duration> retention;

  public LedgerRetention(AuditRetention settings) {
    this.retention = settings.ledger();
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
    return tx.query(SAY_SO)
        .execute()
        .chain(
            () ->
                tx.preparedQuery(MOVE_CHECKPOINTS)
                    .execute(Tuple.of(cutoff.atOffset(ZoneOffset.UTC), limit)))
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
