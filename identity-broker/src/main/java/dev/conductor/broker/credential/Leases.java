package dev.conductor.broker.credential;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The {@code leases} table: one row per minted credential, revoked when its attempt ends. */
@ApplicationScoped
public class Leases {
  /** A lease that was just revoked. */
  public record Revoked(String leaseId, String runId, String attemptId) {}

  public Uni<Void> insert(
      SqlConnection tx,
      String decisionId,
      String runId,
      String attemptId,
      List<Lease> leases,
      Instant issuedAt) {
    if (leases.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    List<Tuple> rows = new ArrayList<>();
    for (Lease lease : leases) {
      rows.add(
          Tuple.from(
              Arrays.asList(
                  lease.leaseId(),
                  decisionId,
                  runId,
                  attemptId,
                  lease.kind(),
                  lease.resource(),
                  lease.fingerprint(),
                  issuedAt.atOffset(ZoneOffset.UTC),
                  lease.expiresAt().atOffset(ZoneOffset.UTC))));
    }
    return tx.preparedQuery(
            """
            INSERT INTO leases (id, decision_id, run_id, attempt_id, kind, resource, fingerprint,
            issued_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """)
        .executeBatch(rows)
        .replaceWithVoid();
  }

  /**
   * Marks the live leases of the attempts revoked, in one statement, each with its reason ({@code
   * reasons.get(i)} for {@code attemptIds.get(i)}; the ids distinct); in the order of {@code
   * attemptIds}, then by lease (reproducible events); none the second time.
   */
  public Uni<List<Revoked>> revokeAttempts(
      SqlConnection tx, List<String> attemptIds, List<String> reasons, Instant at) {
    return tx.preparedQuery(
            """
            UPDATE leases l SET revoked_at = $3, revoke_reason = t.reason
            FROM unnest($1::text[], $2::text[]) AS t(attempt_id, reason)
            WHERE l.attempt_id = t.attempt_id AND l.revoked_at IS NULL
            RETURNING l.id, l.run_id, l.attempt_id
            """)
        .execute(
            Tuple.of(
                attemptIds.toArray(String[]::new),
                reasons.toArray(String[]::new),
                at.atOffset(ZoneOffset.UTC)))
        .map(
            rows -> {
              List<Revoked> revoked = new ArrayList<>();
              for (Row row : rows) {
                revoked.add(new Revoked(row.getString(0), row.getString(1), row.getString(2)));
              }
              revoked.sort(
                  java.util.Comparator.<Revoked>comparingInt(r -> attemptIds.indexOf(r.attemptId()))
                      .thenComparing(Revoked::leaseId));
              return revoked;
            });
  }
}
